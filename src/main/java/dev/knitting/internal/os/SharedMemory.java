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

    /** Opens and maps all of an existing named object. */
    public static MappedRegion openNamed(String name) {
        checkName(name);
        return Platforms.sharedMemory().openNamed(name);
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
     * Opens memory someone else describes (a path such as {@code /proc/<pid>/fd/<n>}, or a name),
     * checks that it has exactly {@code size} bytes and starts with {@code header}, and only then
     * maps all of it. The header is read with {@code pread}: memory that fails the check is never
     * mapped.
     *
     * @param path used when {@code name} is null
     * @param name a shared-memory name, or null
     * @throws SharedMemoryMismatchException if size or header differ
     * @throws NativeCallException if the memory cannot be opened
     */
    public static MappedRegion openChecked(Path path, String name, long size, MemorySegment header) {
        if (name == null) {
            Objects.requireNonNull(path, "path");
        } else {
            checkName(name);
        }
        checkSize(size);
        Objects.requireNonNull(header, "header");
        return Platforms.sharedMemory().openChecked(path, name, size, header);
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
