package dev.knitting.internal.os;

/**
 * This process's ids as the kernel sees them, for the worker's host-death check: a worker whose
 * parent pid changes has been orphaned (its host died). {@code getppid} is a plain syscall, far
 * cheaper than {@code ProcessHandle.current().parent()}, which reads {@code /proc}.
 */
public final class NativeProcess {
    private static final boolean NATIVE = Platforms.isLinux() && Platforms.nativeAccessEnabled();

    private NativeProcess() {
    }

    /** @return this process's pid */
    public static long pid() {
        return NATIVE ? LinuxLibc.getpid() : ProcessHandle.current().pid();
    }

    /**
     * @return the parent's pid right now, or -1 when unknown; after the parent dies this becomes
     *     the reaper's pid (1 or a subreaper)
     */
    public static long parentPid() {
        return NATIVE ? LinuxLibc.getppid()
                : ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }

    /**
     * Ends this process now with {@code status}: {@code _exit(2)} where native calls are allowed,
     * else {@link Runtime#halt}. Neither runs shutdown hooks; {@code _exit} also skips the JVM's
     * own teardown, which waits up to ~300 ms for threads blocked in native calls. For a worker
     * whose host is gone: nothing is left to flush or to tell.
     */
    public static void exitNow(int status) {
        if (NATIVE) {
            try {
                LinuxLibc._exit(status);
            } catch (RuntimeException | LinkageError e) {
                // no _exit in this libc: the JVM's halt is slower but as final
            }
        }
        Runtime.getRuntime().halt(status);
    }
}
