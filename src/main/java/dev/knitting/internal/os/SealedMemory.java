package dev.knitting.internal.os;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Native memory another process can map: a memfd sealed against shrinking and growing
 * ({@code F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL}), mapped {@code MAP_SHARED} at a raw address
 * that the caller unmaps itself ({@link #unmap}; no arena, so letting go of it costs no arena
 * handshake). The memory behind a moved {@code BufferReference} when it goes to another process.
 *
 * <p>Unlike {@link SharedMemory#createAnonymous} nothing is reserved up front: pages come on first
 * touch, as with {@code calloc}'s large blocks, so creating a 64 MiB block costs a few system calls,
 * not 64 MiB of zeroing. A memfd lives in the kernel's internal tmpfs, which has no size limit of its
 * own beyond memory itself.
 *
 * <p>{@link #mapReceived} maps memory a peer handed over only after checking the descriptor: a
 * memfd of the expected debug name, of exactly the described size, sealed against shrinking (so the
 * peer cannot truncate it under this process's mapping, which would fault on the next access).
 */
public final class SealedMemory {
    private SealedMemory() {
    }

    /**
     * One block: its descriptor and where it is mapped in this process.
     *
     * @param fd the memfd, close-on-exec
     * @param address the start of the mapping
     * @param size bytes
     */
    public record Block(int fd, long address, long size) {
    }

    /**
     * @param debugName the memfd's name in {@code /proc/<pid>/fd} (at most 249 bytes)
     * @param size bytes, positive
     * @return a new zeroed, sealed block, mapped read-write
     * @throws NativeCallException if the memory cannot be created or mapped
     */
    public static Block create(String debugName, long size) {
        return create(debugName, size, false);
    }

    /**
     * Like {@link #create(String, long)}; with {@code populate} every page is allocated at once
     * ({@code MAP_POPULATE}), far cheaper than a page fault per page for memory about to be filled.
     */
    public static Block create(String debugName, long size, boolean populate) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be positive");
        }
        int fd = LinuxLibc.memfd_create(debugName, LinuxLibc.MFD_CLOEXEC | LinuxLibc.MFD_ALLOW_SEALING);
        try {
            LinuxLibc.ftruncate(fd, size);
            LinuxLibc.fcntl(fd, LinuxLibc.F_ADD_SEALS,
                    LinuxLibc.F_SEAL_SHRINK | LinuxLibc.F_SEAL_GROW | LinuxLibc.F_SEAL_SEAL);
            MemorySegment address = LinuxLibc.mmap(size, LinuxLibc.PROT_READ | LinuxLibc.PROT_WRITE,
                    LinuxLibc.MAP_SHARED | (populate ? LinuxLibc.MAP_POPULATE : 0), fd, 0);
            return new Block(fd, address.address(), size);
        } catch (RuntimeException e) {
            LinuxLibc.close(fd);
            throw e;
        }
    }

    /**
     * Checks a descriptor a peer handed over and maps it read-write. On success the block owns
     * {@code fd}; on failure {@code fd} is still the caller's and nothing is mapped.
     *
     * @throws SharedMemoryMismatchException if it is not a sealed memfd called {@code debugName} of
     *     exactly {@code size} bytes
     * @throws NativeCallException if it cannot be inspected or mapped
     */
    public static Block mapReceived(int fd, long size, String debugName) {
        if (size <= 0) {
            throw new SharedMemoryMismatchException("a block of " + size + " bytes was described");
        }
        FileStatus status = LinuxLibc.fstat(fd);
        if (!status.isRegularFile()) {
            throw new SharedMemoryMismatchException("the descriptor is a " + status.type() + ", not a memfd");
        }
        String link;
        try {
            link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new SharedMemoryMismatchException("cannot tell what the descriptor is: " + e);
        }
        String expected = "/memfd:" + debugName;
        if (!link.equals(expected) && !link.equals(expected + " (deleted)")) {
            throw new SharedMemoryMismatchException("the descriptor is " + link + ", expected " + expected);
        }
        int seals;
        try {
            seals = LinuxLibc.fcntl(fd, LinuxLibc.F_GET_SEALS, 0);
        } catch (NativeCallException e) {
            throw new SharedMemoryMismatchException("the descriptor cannot carry seals: " + e.getMessage());
        }
        if ((seals & LinuxLibc.F_SEAL_SHRINK) == 0) {
            throw new SharedMemoryMismatchException("the memfd is not sealed against shrinking (seals=" + seals
                    + "): its owner could truncate it under the mapping");
        }
        long actual = LinuxLibc.fstat(fd).size(); // after the seal check: it can no longer shrink
        if (actual != size) {
            throw new SharedMemoryMismatchException("the memfd has " + actual + " bytes, " + size + " were described");
        }
        MemorySegment address = LinuxLibc.mmap(size, LinuxLibc.PROT_READ | LinuxLibc.PROT_WRITE, LinuxLibc.MAP_SHARED,
                fd, 0);
        return new Block(fd, address.address(), size);
    }

    /** @return whether sealed memfds can be created here (Linux on a supported architecture) */
    public static boolean available() {
        return Platforms.isLinux() && Platforms.isSupportedLinuxArch();
    }

    /** Unmaps a block's mapping and closes its descriptor (unless it is -1: closed already). */
    public static void release(Block block) {
        LinuxLibc.munmap(MemorySegment.ofAddress(block.address()), block.size());
        if (block.fd() >= 0) {
            LinuxLibc.close(block.fd());
        }
    }
}
