package dev.knitting.internal.observe;

import dev.knitting.WorkerCrashedException;

/** The sink of a JVM without {@code jdk.jfr}: every event is dropped, and calls get no trace. */
final class NoEventSink implements EventSink {
    static final NoEventSink INSTANCE = new NoEventSink();

    private NoEventSink() {
    }

    @Override
    public CallTrace callStarted(PoolEvents pool, String task) {
        return null;
    }

    @Override
    public void workerStarted(PoolEvents pool, int lane, String worker, long pid, long bootNanos, boolean replacement) {
    }

    @Override
    public void workerEnded(PoolEvents pool, int lane, long pid, WorkerCrashedException how, boolean expected) {
    }

    @Override
    public void workerReplaced(PoolEvents pool, int lane, Throwable cause, int callsResent) {
    }

    @Override
    public void poolStarted(PoolEvents pool) {
    }

    @Override
    public void poolStopped(PoolEvents pool) {
    }
}
