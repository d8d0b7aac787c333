package dev.knitting.internal.observe;

import dev.knitting.PoolStats;
import dev.knitting.WorkerCrashedException;
import java.util.List;
import java.util.Set;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;

/**
 * Builds and commits the JFR events of {@link JfrEventSink}: the only class besides the event
 * classes that names them. {@link JfrEventSink} calls it only once the recorder has initialized,
 * so neither verifying nor running the sink loads a {@code jdk.jfr.Event} subclass in a JVM that
 * never records (the verifier loads every class a method assigns to a supertype, and a class
 * literal loads its class: both used to sit in the sink and cost a cold pool start ~100 ms).
 */
final class JfrEventWriter {
    private JfrEventWriter() {
    }

    /** Registers every event class and the statistics hook; the recorder has just initialized. */
    static void register(Runnable statistics) {
        List<Class<? extends Event>> events = List.of(CallEvent.class, WorkerStartEvent.class,
                WorkerExitEvent.class, WorkerCrashEvent.class, WorkerReplacementEvent.class,
                PoolStatisticsEvent.class);
        events.forEach(FlightRecorder::register);
        FlightRecorder.addPeriodicEvent(PoolStatisticsEvent.class, statistics);
    }

    static CallTrace callStarted(PoolEvents pool, String task) {
        return CallEvent.wanted() ? CallEvent.start(pool.name(), pool.kind(), task) : null;
    }

    static void workerStarted(PoolEvents pool, int lane, String worker, long pid, long bootNanos,
                              boolean replacement) {
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

    static void workerEnded(PoolEvents pool, int lane, long pid, WorkerCrashedException how, boolean expected) {
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

    static void workerReplaced(PoolEvents pool, int lane, Throwable cause, int callsResent) {
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

    /** Emits one statistics event per running pool. */
    static void emitStatistics(Set<PoolEvents> running) {
        for (PoolEvents pool : running) {
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
