package dev.knitting.internal.observe;

import dev.knitting.PoolStats;
import dev.knitting.WorkerCrashedException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.Event;
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
    private static final List<Class<? extends Event>> EVENTS = List.of(CallEvent.class, WorkerStartEvent.class,
            WorkerExitEvent.class, WorkerCrashEvent.class, WorkerReplacementEvent.class, PoolStatisticsEvent.class);
    /** Pools whose statistics the periodic hook emits: from start until stop. */
    private static final Set<PoolEvents> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Runnable STATISTICS = JfrEventSink::emitStatistics;

    private JfrEventSink() {
    }

    /** Called once per JVM, by {@link EventSinks}. */
    static EventSink create() {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                EVENTS.forEach(FlightRecorder::register);
                FlightRecorder.addPeriodicEvent(PoolStatisticsEvent.class, STATISTICS);
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
        return recording() && CallEvent.wanted() ? CallEvent.start(pool.name(), pool.kind(), task) : null;
    }

    @Override
    public void workerStarted(PoolEvents pool, int lane, String worker, long pid, long bootNanos,
                              boolean replacement) {
        if (!recording()) {
            return;
        }
        WorkerStartEvent event = new WorkerStartEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.pool = pool.name();
        event.lane = lane;
        event.workerKind = pool.kind();
        event.worker = worker;
        event.pid = pid;
        event.bootTime = bootNanos;
        event.replacement = replacement;
        event.commit();
    }

    @Override
    public void workerEnded(PoolEvents pool, int lane, long pid, WorkerCrashedException how, boolean expected) {
        if (!recording()) {
            return;
        }
        WorkerEndEvent event = expected ? new WorkerExitEvent() : new WorkerCrashEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.pool = pool.name();
        event.lane = lane;
        event.workerKind = pool.kind();
        event.pid = pid;
        if (how != null) {
            event.exitCode = how.exitCode().orElse(-1);
            event.signal = how.signal().orElse(0);
            event.cause = how.getMessage();
            if (event instanceof WorkerCrashEvent crash) {
                crash.stderrTail = how.stderrTail();
            }
        }
        event.commit();
    }

    @Override
    public void workerReplaced(PoolEvents pool, int lane, Throwable cause, int callsResent) {
        if (!recording()) {
            return;
        }
        WorkerReplacementEvent event = new WorkerReplacementEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.pool = pool.name();
        event.lane = lane;
        event.workerKind = pool.kind();
        event.cause = cause.getMessage();
        event.causeType = cause.getClass().getName();
        event.callsResent = callsResent;
        event.commit();
    }

    @Override
    public void poolStarted(PoolEvents pool) {
        RUNNING.add(pool);
    }

    @Override
    public void poolStopped(PoolEvents pool) {
        RUNNING.remove(pool);
    }

    private static void emitStatistics() {
        for (PoolEvents pool : RUNNING) {
            PoolStats stats;
            try {
                stats = pool.stats();
            } catch (RuntimeException stoppedMeanwhile) {
                continue;
            }
            PoolStatisticsEvent event = new PoolStatisticsEvent();
            event.pool = pool.name();
            event.workerKind = pool.kind();
            event.workers = pool.workers();
            event.submitted = stats.submitted();
            event.completed = stats.completed();
            event.failed = stats.failed();
            event.inFlight = stats.inFlight();
            event.busiestLaneInFlight = stats.inFlightPerLane().stream().mapToInt(Integer::intValue).max().orElse(0);
            event.workerRestarts = stats.workerRestarts();
            event.commit();
        }
    }
}
