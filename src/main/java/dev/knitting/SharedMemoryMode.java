package dev.knitting;

/** How a process worker reaches its lane memory. */
public enum SharedMemoryMode {
    /**
     * An anonymous memory file handed to the child as its standard input (fd 0): no name exists
     * that any other process could open. The default on Linux.
     */
    INHERIT,
    /**
     * A POSIX shared-memory object with an unguessable name, unlinked as soon as the worker has
     * mapped it: for wrappers that do not pass file descriptors on (for example
     * {@code docker run --ipc=host}).
     */
    NAMED
}
