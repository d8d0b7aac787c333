package dev.knitting;

import dev.knitting.internal.worker.WorkerIdentity;

/** Entry point: {@code Knitting.pool().threads(2).start(Tasks.class)}. */
public final class Knitting {
    private Knitting() {
    }

    /** {@return a new pool builder with default options} */
    public static PoolBuilder pool() {
        return new PoolBuilder();
    }

    /**
     * Tells the application from its workers.
     *
     * @return {@code false} inside a worker (a worker thread or a worker process), {@code true}
     *         elsewhere; guards code that must run only in the application itself
     */
    public static boolean isMain() {
        return !WorkerIdentity.isWorker();
    }
}
