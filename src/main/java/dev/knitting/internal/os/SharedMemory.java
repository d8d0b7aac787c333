package dev.knitting.internal.os;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Memory that other processes can map: the lanes of process workers and
 * {@code ProcessSharedBuffer}. Anonymous regions have no name any other process could open (the
 * descriptor is handed over); named regions are POSIX shared-memory objects. Every region is
 * reserved at creation (a full tmpfs fails here, never with a SIGBUS later), read-write,
 * zero-filled and page-aligned.
 *
 * <p>Linux only so far; elsewhere, or without native access, every method throws a
 * {@code KnittingException} saying why. Arguments are checked first on every platform.
 */
public final class SharedMemory {
    /** Longest name in bytes (UTF-8): a file name under {@code /dev/shm}. */
    public static final int MAX_NAME_BYTES = 255;
    /** Longest debug name of anonymous memory in bytes (UTF-8), as {@code memfd_create} allows. */
    public static final int MAX_DEBUG_NAME_BYTES = 249;

    private SharedMemory() {
    }

    /** @return whether this platform maps shared memory at all (else every method throws) */
    public static boolean supported() {
        return !(Platforms.sharedMemory() instanceof UnsupportedSharedMemory);
    }

    /**
     * Creates memory with no name, reachable only through its descriptor (close-on-exec), sealed
     * against resizing.
     *
     * @param debugName shown in {@code /proc/<pid>/fd} and {@code /proc/<pid>/maps}
     * @param size bytes, positive
     */
    public static MappedRegion createAnonymous(String debugName, long size) {
        checkText("debugName", debugName, MAX_DEBUG_NAME_BYTES);
        checkSize(size);
        return Platforms.sharedMemory().createAnonymous(debugName, size);
    }

    /**
     * Creates a named object, readable and writable by this user only (0600). Fails if the name
     * exists. The caller unlinks it ({@link #unlink}) as soon as every peer has opened it.
     *
     * @param name without '/', at most {@link #MAX_NAME_BYTES} bytes
     * @param size bytes, positive
     */
    public static MappedRegion createNamed(String name, long size) {
        checkName(name);
        checkSize(size);
        return Platforms.sharedMemory().createNamed(name, size);
    }

    /**
     * Creates a named object like {@link #createNamed} but keeps no descriptor of it: the region's
     * {@link MappedRegion#fd() fd} is {@link MappedRegion#NO_FD}, so a peer that may not truncate
     * the memory finds no descriptor of it in this process ({@code /proc/<pid>/fd}) to do so with.
     */
    public static MappedRegion createNamedWithoutFd(String name, long size) {
        checkName(name);
        checkSize(size);
        return Platforms.sharedMemory().createNamedWithoutFd(name, size);
    }

    /** Opens and maps all of an existing named object. */
    public static MappedRegion openNamed(String name) {
        checkName(name);
        return Platforms.sharedMemory().openNamed(name);
    }

    /**
     * Opens and maps all of an existing named object, then closes the descriptor and removes the
     * name: afterwards code in this process has no descriptor to {@code ftruncate} and no name to
     * open, only the mapping. For a process worker's NAMED lane, which cannot be sealed.
     */
    public static MappedRegion openNamedAndForget(String name) {
        checkName(name);
        return Platforms.sharedMemory().openNamedAndForget(name);
    }

    /**
     * Maps all of the memory behind {@code fd} and takes the descriptor over: the region closes it
     * (also when mapping fails).
     */
    public static MappedRegion openFd(int fd) {
        checkFd(fd);
        return Platforms.sharedMemory().openFd(fd);
    }

    /**
     * Maps the first {@code size} bytes behind {@code fd}, which stays the caller's: closing the
     * region unmaps only. A second mapping of the same memory at another address.
     *
     * @throws IllegalArgumentException if {@code size} exceeds the memory behind {@code fd}
     */
    public static MappedRegion mapFd(int fd, long size) {
        checkFd(fd);
        checkSize(size);
        return Platforms.sharedMemory().mapFd(fd, size);
    }

    /**
     * Opens a file read-write and maps all of it, e.g. {@code /proc/self/fd/0} in a child handed
     * its memory as fd 0 (which {@code ProcessBuilder.redirectInput} opens read-only).
     */
    public static MappedRegion openPath(Path path) {
        Objects.requireNonNull(path, "path");
        return Platforms.sharedMemory().openPath(path);
    }

    /**
     * Opens memory someone else describes (a path such as {@code /proc/<pid>/fd/<n>}, or a name)
     * once, and maps all of it only after checking the opened descriptor itself: a regular file
     * (never a FIFO, device or socket; the open does not block on a FIFO), the object
     * {@code /dev/shm/<name>} or else the memfd called {@code memfdName}, exactly {@code size}
     * bytes, for a memfd sealed against shrinking ({@code F_SEAL_SHRINK}, so its owner cannot
     * truncate it under the mapping), and starting with {@code header} (read with {@code pread}).
     * Memory that fails a check is never mapped and its descriptor is closed.
     *
     * @param path what to open; null to open {@code name} with {@code shm_open}
     * @param name the shared-memory name the memory must have, or null for a memfd
     * @param memfdName the debug name the memfd must have, used when {@code name} is null
     * @throws SharedMemoryMismatchException if the memory is not what was described
     * @throws NativeCallException if the memory cannot be opened or mapped
     */
    public static MappedRegion openChecked(Path path, String name, long size, MemorySegment header, String memfdName) {
        if (name == null) {
            Objects.requireNonNull(path, "path");
            checkText("memfdName", memfdName, MAX_DEBUG_NAME_BYTES);
        } else {
            checkName(name);
        }
        checkSize(size);
        Objects.requireNonNull(header, "header");
        return Platforms.sharedMemory().openChecked(path, name, size, header, memfdName);
    }

    /**
     * Removes a name; mappings stay valid until closed.
     *
     * @return false if no object had that name
     */
    public static boolean unlink(String name) {
        checkName(name);
        return Platforms.sharedMemory().unlink(name);
    }

    static void checkName(String name) {
        checkText("name", name, MAX_NAME_BYTES);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("shared memory name must be a file name: name=\"" + name + "\"");
        }
        if (name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("shared memory name must not contain '/': name=\"" + name + "\"");
        }
    }

    private static void checkText(String what, String text, int maxBytes) {
        if (text == null) {
            throw new IllegalArgumentException(what + " must not be null: " + what + "=null");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain NUL: " + what + "=\""
                    + text.replace("\0", "\\0") + "\"");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(what + " is " + bytes + " bytes, more than " + maxBytes + ": "
                    + what + "=\"" + text + "\"");
        }
    }

    private static void checkSize(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("shared memory size must be positive: size=" + size);
        }
    }

    private static void checkFd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("file descriptor must not be negative: fd=" + fd);
        }
    }
}
