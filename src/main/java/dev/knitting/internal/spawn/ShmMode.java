package dev.knitting.internal.spawn;

/** How a worker process reaches its lane. */
public enum ShmMode {
    /**
     * The lane is the child's fd 0 (opened read-only by {@code ProcessBuilder.redirectInput}); the
     * child reopens {@code /proc/self/fd/0} read-write. No name exists that another process could
     * open.
     */
    INHERIT,
    /**
     * The lane is a POSIX shared-memory object with an unguessable name, for wrappers that do not
     * pass file descriptors on (such as {@code docker run --ipc=host}); the host unlinks the name as
     * soon as the child has mapped it.
     */
    NAMED
}
