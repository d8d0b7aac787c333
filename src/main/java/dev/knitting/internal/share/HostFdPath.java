package dev.knitting.internal.share;

import java.nio.file.Path;

/**
 * Where this process finds a peer's descriptor in {@code /proc}: {@code /proc/<pid>/fd/<n>}, or in a
 * Landlock-confined worker {@code /proc/<host>/task/<door>/fd/<n>}, through the host thread that
 * started it (the only host thread of its Landlock domain, so the only one whose entries it may
 * open). Set once at a worker's boot, before any task runs.
 */
public final class HostFdPath {
    private static volatile long doorThread;

    private HostFdPath() {
    }

    /** Makes this process (a confined worker) reach its host's descriptors through {@code thread}. */
    public static void useDoorThread(long thread) {
        if (thread <= 0) {
            throw new IllegalArgumentException("door thread=" + thread + " must be positive");
        }
        doorThread = thread;
    }

    /** @return the path of descriptor {@code fd} of process {@code pid} */
    static Path of(long pid, int fd) {
        long door = doorThread;
        return Path.of(door > 0 ? "/proc/" + pid + "/task/" + door + "/fd/" + fd : "/proc/" + pid + "/fd/" + fd);
    }
}
