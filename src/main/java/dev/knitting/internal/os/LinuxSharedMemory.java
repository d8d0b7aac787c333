package dev.knitting.internal.os;

import static dev.knitting.internal.os.LinuxLibc.MAP_SHARED;
import static dev.knitting.internal.os.LinuxLibc.O_CLOEXEC;
import static dev.knitting.internal.os.LinuxLibc.O_CREAT;
import static dev.knitting.internal.os.LinuxLibc.O_EXCL;
import static dev.knitting.internal.os.LinuxLibc.O_RDWR;
import static dev.knitting.internal.os.LinuxLibc.PROT_READ;
import static dev.knitting.internal.os.LinuxLibc.PROT_WRITE;

import dev.knitting.KnittingException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Shared memory on Linux: memfd for anonymous regions, POSIX {@code shm_open} (tmpfs under
 * {@code /dev/shm}) for named ones, both mapped {@code MAP_SHARED}.
 *
 * <p>New memory is reserved with {@code fallocate} at creation, so a full or size-limited tmpfs
 * fails here with a clear error instead of a SIGBUS on first touch later. Anonymous regions are
 * then sealed against shrinking and growing: a peer holding the descriptor cannot truncate the
 * memory under the host's mapping (which would SIGBUS the host). Named objects cannot be sealed;
 * they are trusted to the owner's uid (mode 0600) and unlinked as early as possible.
 */
@SuppressWarnings("restricted")
final class LinuxSharedMemory implements SharedMemoryBackend {
    private static final int FALLOC_DEFAULT = 0;

    @Override
    public MappedRegion createAnonymous(String debugName, long size) {
        int fd = LinuxLibc.memfd_create(debugName, LinuxLibc.MFD_CLOEXEC | LinuxLibc.MFD_ALLOW_SEALING);
        try {
            reserve(fd, size, "anonymous shared memory \"" + debugName + "\"");
            LinuxLibc.fcntl(fd, LinuxLibc.F_ADD_SEALS,
                    LinuxLibc.F_SEAL_SHRINK | LinuxLibc.F_SEAL_GROW | LinuxLibc.F_SEAL_SEAL);
            return map(fd, size, null, true);
        } catch (RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    @Override
    public MappedRegion createNamed(String name, long size) {
        String path = "/" + name;
        int fd;
        try {
            fd = LinuxLibc.shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        } catch (NativeCallException e) {
            if (e.errno() == Errno.EEXIST) {
                throw new KnittingException("shared memory name is already taken: name=" + name, e);
            }
            throw e;
        }
        try {
            reserve(fd, size, "shared memory \"" + name + "\"");
            return map(fd, size, name, true);
        } catch (RuntimeException e) {
            closeQuietly(fd, e);
            try {
                LinuxLibc.shm_unlink(path);
            } catch (RuntimeException unlinkFailure) {
                e.addSuppressed(unlinkFailure);
            }
            throw e;
        }
    }

    @Override
    public MappedRegion openNamed(String name) {
        return adopt(LinuxLibc.shm_open("/" + name, O_RDWR | O_CLOEXEC, 0), name);
    }

    @Override
    public MappedRegion openFd(int fd) {
        return adopt(fd, null);
    }

    @Override
    public MappedRegion mapFd(int fd, long size) {
        long fileSize = LinuxLibc.lseek(fd, 0, LinuxLibc.SEEK_END);
        if (size > fileSize) { // bytes past the end of the file would SIGBUS on access
            throw new IllegalArgumentException("size exceeds the memory behind fd " + fd + " (" + fileSize
                    + " bytes): size=" + size);
        }
        return map(fd, size, null, false);
    }

    @Override
    public MappedRegion openPath(Path path) {
        return adopt(LinuxLibc.open(path.toString(), O_RDWR | O_CLOEXEC, 0), null);
    }

    /**
     * Opens without mapping, checks size and header with {@code lseek} and {@code pread}, and maps
     * only memory that passed: a forged descriptor never gets foreign memory mapped.
     */
    @Override
    public MappedRegion openChecked(Path path, String name, long size, MemorySegment header) {
        int fd = name != null ? LinuxLibc.shm_open("/" + name, O_RDWR | O_CLOEXEC, 0)
                : LinuxLibc.open(path.toString(), O_RDWR | O_CLOEXEC, 0);
        String what = name != null ? "shared memory \"" + name + "\"" : path.toString();
        try {
            long actual = LinuxLibc.lseek(fd, 0, LinuxLibc.SEEK_END);
            if (actual != size) {
                throw new SharedMemoryMismatchException(what + " has " + actual + " bytes, expected " + size);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment found = arena.allocate(header.byteSize());
                long read = LinuxLibc.pread(fd, found, 0);
                if (read != header.byteSize() || found.mismatch(header) >= 0) {
                    throw new SharedMemoryMismatchException(what + " does not start with the expected header");
                }
            }
            return map(fd, size, name, true);
        } catch (RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    @Override
    public boolean unlink(String name) {
        return LinuxLibc.shm_unlink("/" + name);
    }

    /** Maps all of {@code fd}, which this call now owns: it is closed if mapping fails. */
    private static MappedRegion adopt(int fd, String name) {
        try {
            long size = LinuxLibc.lseek(fd, 0, LinuxLibc.SEEK_END);
            if (size <= 0) {
                throw new KnittingException("shared memory " + (name == null ? "behind fd " + fd : "\"" + name + "\"")
                        + " is empty: size=" + size);
            }
            return map(fd, size, name, true);
        } catch (RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    private static void reserve(int fd, long size, String what) {
        LinuxLibc.ftruncate(fd, size);
        try {
            LinuxLibc.fallocate(fd, FALLOC_DEFAULT, 0, size);
        } catch (NativeCallException e) {
            if (e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.ENOSYS) {
                return; // this file system cannot reserve: pages come on first touch, as with plain mmap
            }
            throw new KnittingException("cannot reserve " + size + " bytes for " + what
                    + " (is the shared-memory tmpfs full or size-limited?): " + e.getMessage(), e);
        }
    }

    private static MappedRegion map(int fd, long size, String name, boolean ownsFd) {
        MemorySegment address = LinuxLibc.mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        Arena arena = Arena.ofShared();
        MemorySegment segment = address.reinterpret(size, arena, mapped -> LinuxLibc.munmap(mapped, size));
        return new MappedRegion(fd, size, name, arena, segment, ownsFd ? () -> LinuxLibc.close(fd) : null);
    }

    private static void closeQuietly(int fd, RuntimeException failure) {
        try {
            LinuxLibc.close(fd);
        } catch (RuntimeException closeFailure) {
            failure.addSuppressed(closeFailure);
        }
    }
}
