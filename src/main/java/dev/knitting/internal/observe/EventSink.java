package dev.knitting.internal.observe;

import dev.knitting.WorkerCrashedException;

/**
 * Where a pool's events go: JDK Flight Recorder when the JVM has it ({@link JfrEventSink}), nowhere
 * otherwise ({@link NoEventSink}). Chosen once per JVM by {@link EventSinks}; only the JFR sink
 * loads classes of {@code jdk.jfr}.
 */
sealed interface EventSink permits JfrEventSink, NoEventSink {
    /** @return a trace for a call of {@code task}, or {@code null} when no recording wants call events */
    CallTrace callStarted(PoolEvents pool, String task);

    void workerStarted(PoolEvents pool, int lane, String worker, long pid, long bootNanos, boolean replacement);

    void workerEnded(PoolEvents pool, int lane, long pid, WorkerCrashedException how, boolean expected);

    void workerReplaced(PoolEvents pool, int lane, Throwable cause, int callsResent);

    /** The pool runs: its statistics are emitted every period from now on. */
    void poolStarted(PoolEvents pool);

    /** The pool has stopped: no more statistics. */
    void poolStopped(PoolEvents pool);
}
