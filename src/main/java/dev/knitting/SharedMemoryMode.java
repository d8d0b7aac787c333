package dev.knitting;

/** How a process worker reaches its lane memory. */
public enum SharedMemoryMode {
    /**
     * An anonymous memory file handed to the child as its standard input (fd 0): no name exists
     * that any other process could open. The default on Linux. The memory is sealed against
     * shrinking and growing before the child exists, so the worker cannot truncate it under the
     * host.
     */
    INHERIT,
    /**
     * A POSIX shared-memory object with an unguessable name, unlinked as soon as the worker has
     * mapped it: for wrappers that do not pass file descriptors on (for example
     * {@code docker run --ipc=host}).
     *
     * <p>Residual risk: POSIX shared memory cannot be sealed, so whoever holds a descriptor of it
     * can truncate it, and the host's next access to a truncated lane faults ({@code SIGBUS}: an
     * {@code InternalError} in the host thread that touched the lane, which the pool does not
     * recover from). To leave no way to do so, the worker closes its descriptor and removes the
     * name right after mapping the lane, before any task code runs, and the host keeps no
     * descriptor of it. What remains: a process of the same user that reads the name from the
     * worker's environment and opens it in the moment before the worker maps it, and tools that
     * reach a mapping without a descriptor ({@code ptrace}, or {@code /proc/<pid>/map_files} with
     * {@code CAP_SYS_ADMIN}). Use {@link #INHERIT} wherever file descriptors can be passed.
     */
    NAMED
}
