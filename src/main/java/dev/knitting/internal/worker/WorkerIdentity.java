package dev.knitting.internal.worker;

/**
 * Whether the current code runs inside a worker: a worker thread of a pool, or (later) a worker
 * process. Pools refuse to start inside a worker process, and {@code Knitting.isMain()} reads it.
 */
public final class WorkerIdentity {
    private static final ThreadLocal<Boolean> WORKER_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** Set in the environment of every worker process. */
    public static final String PROCESS_WORKER_ENV = "KNITTING_PROCESS_WORKER";

    private WorkerIdentity() {
    }

    /** Marks the current thread as a worker thread for its whole life. */
    public static void markCurrentThreadAsWorker() {
        WORKER_THREAD.set(Boolean.TRUE);
    }

    /** @return whether the current thread is a worker thread or the JVM a worker process */
    public static boolean isWorker() {
        return WORKER_THREAD.get() || "1".equals(System.getenv(PROCESS_WORKER_ENV));
    }
}
