package dev.knitting.internal.os;

import static dev.knitting.internal.os.LinuxLibc.MAP_SHARED;
import static dev.knitting.internal.os.LinuxLibc.O_CLOEXEC;
import static dev.knitting.internal.os.LinuxLibc.O_CREAT;
import static dev.knitting.internal.os.LinuxLibc.O_EXCL;
import static dev.knitting.internal.os.LinuxLibc.O_RDWR;
import static dev.knitting.internal.os.LinuxLibc.PROT_READ;
import static dev.knitting.internal.os.LinuxLibc.PROT_WRITE;

import dev.knitting.KnittingException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shared memory on Linux: memfd for anonymous regions, POSIX {@code shm_open} (tmpfs under
 * {@code /dev/shm}) for named ones, both mapped {@code MAP_SHARED}.
 *
 * <p>New memory is reserved with {@code fallocate} at creation, so a full or size-limited tmpfs
 * fails here with a clear error instead of a SIGBUS on first touch later. Anonymous regions are
 * then sealed against shrinking and growing: a peer holding the descriptor cannot truncate the
 * memory under the host's mapping (which would SIGBUS the host), and memory a peer names is mapped
 * only if it carries that seal ({@link #openChecked}). Named objects cannot be sealed; they are
 * trusted to the owner's uid (mode 0600) and unlinked as early as possible, and can be mapped
 * without keeping a descriptor ({@link #createNamedWithoutFd}, {@link #openNamedAndForget}).
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
        int fd = createNamedFd(name, size);
        try {
            return map(fd, size, name, true);
        } catch (RuntimeException e) {
            discardNamed(fd, name, e);
            throw e;
        }
    }

    /**
     * Creates a named object like {@link #createNamed} but keeps no descriptor of it once mapped:
     * a peer that must not truncate the memory finds no descriptor of it in this process either.
     */
    @Override
    public MappedRegion createNamedWithoutFd(String name, long size) {
        int fd = createNamedFd(name, size);
        MappedRegion region;
        try {
            region = mapWithoutFd(fd, size, name);
        } catch (RuntimeException e) {
            discardNamed(fd, name, e);
            throw e;
        }
        try {
            LinuxLibc.close(fd);
        } catch (RuntimeException e) {
            region.close();
            discardNamed(-1, name, e);
            throw e;
        }
        return region;
    }

    /** @return a descriptor of a new named object of {@code size} reserved bytes; nothing is left behind on failure */
    private static int createNamedFd(String name, long size) {
        int fd;
        try {
            fd = LinuxLibc.shm_open("/" + name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        } catch (NativeCallException e) {
            if (e.errno() == Errno.EEXIST) {
                throw new KnittingException("shared memory name is already taken: name=" + name, e);
            }
            throw e;
        }
        try {
            reserve(fd, size, "shared memory \"" + name + "\"");
            return fd;
        } catch (RuntimeException e) {
            discardNamed(fd, name, e);
            throw e;
        }
    }

    /** Closes {@code fd} (unless negative) and removes the name after {@code failure}. */
    private static void discardNamed(int fd, String name, RuntimeException failure) {
        if (fd >= 0) {
            closeQuietly(fd, failure);
        }
        try {
            LinuxLibc.shm_unlink("/" + name);
        } catch (RuntimeException unlinkFailure) {
            failure.addSuppressed(unlinkFailure);
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
     * Opens once, checks the opened descriptor itself (never the path again, which its owner may
     * have pointed elsewhere meanwhile), and maps only memory that passed every check, in this
     * order: a regular file ({@code fstat}; a FIFO, device or socket is refused, and
     * {@code O_NONBLOCK} keeps a planted FIFO from blocking the open), the expected memfd or
     * {@code /dev/shm} object ({@code /proc/self/fd/<fd>}), for anonymous memory a seal against
     * shrinking ({@code F_GET_SEALS}: unsealed memory could be truncated under the mapping, which
     * would {@code SIGBUS} this process), exactly {@code size} bytes (read after the seal, so the
     * owner cannot shrink it between the check and the mapping), and the header ({@code pread}). A
     * failed check closes the descriptor.
     */
    @Override
    public MappedRegion openChecked(Path path, String name, long size, MemorySegment header, String memfdName) {
        int flags = O_RDWR | O_CLOEXEC | LinuxLibc.O_NONBLOCK | LinuxLibc.O_NOCTTY;
        int fd = path == null ? LinuxLibc.shm_open("/" + name, flags, 0) : LinuxLibc.open(path.toString(), flags, 0);
        String what = path == null ? "shared memory \"" + name + "\"" : path.toString();
        try {
            FileStatus status = LinuxLibc.fstat(fd);
            if (!status.isRegularFile()) {
                throw new SharedMemoryMismatchException(what + " is a " + status.type() + ", not shared memory");
            }
            String expected = name != null ? "/dev/shm/" + name : "/memfd:" + memfdName;
            String link = linkOf(fd, what);
            if (!link.equals(expected) && !link.equals(expected + " (deleted)")) {
                throw new SharedMemoryMismatchException(what + " is " + link + ", expected " + expected);
            }
            if (name == null) {
                checkSealedAgainstShrinking(fd, what);
            }
            long actual = LinuxLibc.fstat(fd).size(); // after the seal: from now on it can only grow
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

    /**
     * Opens and maps all of a named object, then closes the descriptor and removes the name: from
     * then on nothing in this process reaches the memory but the mapping itself, so code running
     * here has no descriptor to {@code ftruncate} and no name to open.
     */
    @Override
    public MappedRegion openNamedAndForget(String name) {
        String path = "/" + name;
        int fd = LinuxLibc.shm_open(path, O_RDWR | O_CLOEXEC | LinuxLibc.O_NOCTTY, 0);
        MappedRegion region;
        try {
            long size = LinuxLibc.lseek(fd, 0, LinuxLibc.SEEK_END);
            if (size <= 0) {
                throw new KnittingException("shared memory \"" + name + "\" is empty: size=" + size);
            }
            region = mapWithoutFd(fd, size, name);
        } catch (RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
        try {
            LinuxLibc.close(fd);
            LinuxLibc.shm_unlink(path);
        } catch (NativeCallException e) {
            if (e.errno() != Errno.EACCES) { // a confined worker may not remove names: its host does, once READY
                region.close();
                throw e;
            }
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
        return region;
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
        return mmap(fd, size, name, fd, ownsFd ? () -> LinuxLibc.close(fd) : null);
    }

    /** Maps {@code fd}, which stays the caller's to close: the region keeps no descriptor. */
    private static MappedRegion mapWithoutFd(int fd, long size, String name) {
        return mmap(fd, size, name, MappedRegion.NO_FD, null);
    }

    private static MappedRegion mmap(int fd, long size, String name, int keptFd, Runnable closeFd) {
        MemorySegment address = LinuxLibc.mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        Arena arena = Arena.ofShared();
        MemorySegment segment = address.reinterpret(size, arena, mapped -> LinuxLibc.munmap(mapped, size));
        return new MappedRegion(keptFd, size, name, arena, segment, closeFd);
    }

    private static String linkOf(int fd, String what) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new SharedMemoryMismatchException("cannot tell what " + what + " is: " + e);
        }
    }

    private static void checkSealedAgainstShrinking(int fd, String what) {
        int seals;
        try {
            seals = LinuxLibc.fcntl(fd, LinuxLibc.F_GET_SEALS, 0);
        } catch (NativeCallException e) {
            throw new SharedMemoryMismatchException(what + " cannot carry seals (" + e.getMessage()
                    + "), so it is no memfd of this library");
        }
        if ((seals & LinuxLibc.F_SEAL_SHRINK) == 0) {
            throw new SharedMemoryMismatchException(what + " is not sealed against shrinking (seals=" + seals
                    + "): its owner could truncate it under the mapping");
        }
    }

    private static void closeQuietly(int fd, RuntimeException failure) {
        try {
            LinuxLibc.close(fd);
        } catch (RuntimeException closeFailure) {
            failure.addSuppressed(closeFailure);
        }
    }
}
