package dev.knitting.internal.observe;

import dev.knitting.WorkerCrashedException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * Events to JDK Flight Recorder. Nothing of JFR is started here: the event classes are registered
 * and the statistics hook added when the recorder initializes (the first recording), so a JVM that
 * never records pays for neither. Events are built only when a recording wants them, and no event
 * class is even loaded before the recorder has initialized ({@code recording()}): loading the
 * first {@code jdk.jfr.Event} subclass costs a cold JVM a few hundred milliseconds of JFR set-up,
 * more than the rest of a pool's start.
 */
final class JfrEventSink implements EventSink {
    /** Pools whose statistics the periodic hook emits: from start until stop. */
    private static final Set<PoolEvents> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Runnable STATISTICS = new Runnable() {
        @Override
        public void run() { // a class, not a lambda: no class spun when a cold JVM's first pool starts
            JfrEventWriter.emitStatistics(RUNNING);
        }
    };

    private JfrEventSink() {
    }

    /** Called once per JVM, by {@link EventSinks}. */
    static EventSink create() {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                JfrEventWriter.register(STATISTICS);
            }
        });
        return new JfrEventSink();
    }

    /**
     * @return whether the recorder has initialized; until then no recording exists, so no event
     *     can be wanted, and none is built (a later recording initializes it, and events flow)
     */
    private static boolean recording() {
        return FlightRecorder.isInitialized();
    }

    @Override
    public CallTrace callStarted(PoolEvents pool, String task) {
        return recording() ? JfrEventWriter.callStarted(pool, task) : null;
    }

    @Override
    public void workerStarted(PoolEvents pool, int lane, String worker, long pid, long bootNanos,
                              boolean replacement) {
        if (recording()) {
            JfrEventWriter.workerStarted(pool, lane, worker, pid, bootNanos, replacement);
        }
    }

    @Override
    public void workerEnded(PoolEvents pool, int lane, long pid, WorkerCrashedException how, boolean expected) {
        if (recording()) {
            JfrEventWriter.workerEnded(pool, lane, pid, how, expected);
        }
    }

    @Override
    public void workerReplaced(PoolEvents pool, int lane, Throwable cause, int callsResent) {
        if (recording()) {
            JfrEventWriter.workerReplaced(pool, lane, cause, callsResent);
        }
    }

    @Override
    public void poolStarted(PoolEvents pool) {
        RUNNING.add(pool);
    }

    @Override
    public void poolStopped(PoolEvents pool) {
        RUNNING.remove(pool);
    }
}
