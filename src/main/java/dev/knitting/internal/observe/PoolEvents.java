package dev.knitting.internal.observe;

import dev.knitting.PoolStats;
import dev.knitting.WorkerCrashedException;
import dev.knitting.WorkerRuntime;
import dev.knitting.internal.os.CurrentProcess;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * What one pool tells the outside about itself: JFR events (when the JVM has JFR, see {@link
 * EventSinks}) and lifecycle lines ({@link PoolLog}). The host calls it at each step of a worker's
 * life and at the start of each call; everything else about a call goes through its {@link
 * CallTrace}.
 *
 * <p>Call path cost: {@link #callStarted} asks whether a recording wants call events (a static read
 * JFR keeps per event class; a constant {@code false} before any recording started) and returns
 * {@code null} if not; the later steps test that {@code null}. Lifecycle methods are for control
 * paths only.
 *
 * <p>Thread-safe. No method throws: reporting is best effort and never breaks the pool's own work
 * (the host calls these methods in the middle of its own work, a worker's exit, a replacement, and
 * a failing logger or recorder must not stop that work; what they throw is dropped). No lambdas:
 * these run on a cold JVM's start path, where each lambda spins a class at its first use.
 */
public final class PoolEvents {
    private static final EventSink SINK = EventSinks.SINK;

    private final String name;
    private final String kind;
    private final PoolLog log;
    private final Supplier<PoolStats> stats;
    /** Per lane: when its current worker started starting; 0 before any. */
    private final AtomicLongArray starting;
    /** Per lane: how many workers became ready on it. */
    private final AtomicLongArray started;

    /**
     * @param name the pool's name
     * @param runtime its worker kind
     * @param workers its worker lanes
     * @param debug whether its lines are raised to INFO
     * @param stats its counters, for the periodic statistics event
     */
    public PoolEvents(String name, WorkerRuntime runtime, int workers, boolean debug, Supplier<PoolStats> stats) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = runtime.name();
        this.log = new PoolLog(name, debug);
        this.stats = Objects.requireNonNull(stats, "stats");
        this.starting = new AtomicLongArray(workers);
        this.started = new AtomicLongArray(workers);
    }

    String name() {
        return name;
    }

    String kind() {
        return kind;
    }

    int workers() {
        return starting.length();
    }

    PoolStats stats() {
        return stats.get();
    }

    // ---------------------------------------------------------------- calls

    /**
     * A call of {@code task} is dispatched: its argument is known and about to be encoded.
     *
     * @return the call's trace, or {@code null} when no recording wants call events
     */
    public CallTrace callStarted(String task) {
        return SINK.callStarted(this, task);
    }

    // ---------------------------------------------------------------- workers

    /** The first worker of {@code lane} is being started. */
    public void workerStarting(int lane) {
        starting.set(lane, System.nanoTime());
    }

    /**
     * The worker of {@code lane} is ready.
     *
     * @param worker its name (thread name, or the tag of its process's output)
     * @param pid the process it runs in
     */
    public void workerStarted(int lane, String worker, long pid) {
        long since = starting.get(lane);
        long bootNanos = since == 0 ? 0 : System.nanoTime() - since;
        boolean replacement = started.incrementAndGet(lane) > 1;
        try {
            if (log.enabled()) {
                log.log("worker " + lane + " ready (" + kind + (pid != CurrentProcess.pid() ? ", pid " + pid : "")
                        + ", " + bootNanos / 1_000_000 + " ms" + (replacement ? ", replacement" : "") + ")");
            }
            SINK.workerStarted(this, lane, worker, pid, bootNanos, replacement);
        } catch (RuntimeException | LinkageError ignored) {
            // reporting is best effort
        }
    }

    /**
     * The worker of {@code lane} ended.
     *
     * @param how how it ended, as its taken calls fail
     * @param expected whether the pool was stopping it (an exit), not (a crash)
     */
    public void workerExited(int lane, long pid, WorkerCrashedException how, boolean expected) {
        try {
            log.log("worker " + lane + (expected ? " exited: " : " crashed: ") + (how == null ? "" : how.getMessage()));
            SINK.workerEnded(this, lane, pid, how, expected);
        } catch (RuntimeException | LinkageError ignored) {
            // reporting is best effort
        }
    }

    /**
     * {@code lane} lost its worker for {@code cause} and now starts a replacement, which gets the
     * {@code callsResent} calls the lost one had not taken.
     */
    public void workerReplaced(int lane, Throwable cause, int callsResent) {
        starting.set(lane, System.nanoTime());
        try {
            log.log("lane " + lane + " lost its worker (" + cause.getMessage() + "); " + callsResent
                    + " calls it had not taken go to the replacement");
            SINK.workerReplaced(this, lane, cause, callsResent);
        } catch (RuntimeException | LinkageError ignored) {
            // reporting is best effort
        }
    }

    // ---------------------------------------------------------------- pool

    /** Every worker is ready; {@code summary} says what runs. Statistics are emitted from now on. */
    public void poolStarted(String summary) {
        SINK.poolStarted(this);
        try {
            log.log("started: " + summary);
            log.log(EventSinks.REASON);
        } catch (RuntimeException | LinkageError ignored) {
            // reporting is best effort
        }
    }

    /** The pool has stopped: no statistics any more. */
    public void poolTerminated() {
        SINK.poolStopped(this);
        log("terminated");
    }

    /** Any other lifecycle or debug line. */
    public void log(String line) {
        try {
            log.log(line);
        } catch (RuntimeException | LinkageError ignored) {
            // reporting is best effort
        }
    }
}
