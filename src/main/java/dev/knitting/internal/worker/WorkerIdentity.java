package dev.knitting.internal.worker;

import dev.knitting.internal.spawn.WorkerEnv;

/**
 * Whether the current code runs inside a worker: a worker thread of a pool, or (later) a worker
 * process. Pools refuse to start inside a worker process, and {@code Knitting.isMain()} reads it.
 */
public final class WorkerIdentity {
    private static final ThreadLocal<Boolean> WORKER_THREAD = new ThreadLocal<>() {
        @Override
        protected Boolean initialValue() { // a class, not a lambda: no class spun at a cold JVM's start
            return Boolean.FALSE;
        }
    };

    private WorkerIdentity() {
    }

    /** Marks the current thread as a worker thread for its whole life. */
    public static void markCurrentThreadAsWorker() {
        WORKER_THREAD.set(Boolean.TRUE);
    }

    /** @return whether the current thread is a worker thread or the JVM a worker process */
    public static boolean isWorker() {
        return WORKER_THREAD.get() || "1".equals(System.getenv(WorkerEnv.PROCESS_WORKER));
    }
}
