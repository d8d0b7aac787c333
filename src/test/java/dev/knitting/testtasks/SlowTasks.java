package dev.knitting.testtasks;

import dev.knitting.Knitting;
import dev.knitting.Task;
import dev.knitting.TaskContext;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Tasks that take time. None waits on anything the test controls through memory, so they work in
 * worker processes too: the argument bounds how long a task runs, and cooperative tasks stop as soon
 * as their abort flag is raised. How a cooperative call ended is kept per token in the worker and can
 * be read back with {@link #OUTCOME} (on a one-worker pool that query runs after the spin has ended).
 */
public final class SlowTasks {
    /** Outcome of a cooperative spin that saw its abort flag. */
    public static final String ABORTED = "aborted";
    /** Outcome of a spin that ran out of budget without seeing its abort flag. */
    public static final String BUDGET = "budget";

    /** Tokens of spins that have started, in the worker's JVM (readable by thread-worker tests). */
    public static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
    /** Token to outcome of ended spins, in the worker's JVM. */
    public static final Map<String, String> OUTCOMES = new ConcurrentHashMap<>();

    /** Cooperative: spins until aborted ({@value #ABORTED}) or out of budget ({@value #BUDGET}). */
    public static final Task<Spin, String> SPIN = Task.withContext(SlowTasks::spin);
    /** {@link #SPIN} with a 200 ms timeout that fails the call. */
    public static final Task<Spin, String> SPIN_TIMEOUT_FAIL = SPIN.timeout(Duration.ofMillis(200));
    /** {@link #SPIN} with a 200 ms timeout that completes the call with {@code "fallback"}. */
    public static final Task<Spin, String> SPIN_TIMEOUT_FALLBACK = SPIN.timeout(Duration.ofMillis(200), "fallback");
    /** {@link #SPIN} with a 200 ms timeout that fails the call with {@code IllegalStateException("custom timeout")}. */
    public static final Task<Spin, String> SPIN_TIMEOUT_ERROR =
            SPIN.timeout(Duration.ofMillis(200), () -> new IllegalStateException("custom timeout"));
    /** {@link EchoTasks#SQUARE} behind a generous timeout it never reaches. */
    public static final Task<Integer, Integer> SQUARE_WITH_GENEROUS_TIMEOUT =
            EchoTasks.SQUARE.timeout(Duration.ofSeconds(30));
    /** Not cooperative: spins for the given milliseconds whatever happens, then returns {@value #BUDGET}. */
    public static final Task<Long, String> BUSY = Task.of(SlowTasks::busy);
    /** {@link #BUSY} with a 200 ms timeout that fails the call. */
    public static final Task<Long, String> BUSY_TIMEOUT_FAIL = BUSY.timeout(Duration.ofMillis(200));
    /** Sleeps the given milliseconds; returns {@code "slept"} or, when interrupted, {@code "interrupted"}. */
    public static final Task<Long, String> SLEEP = Task.of(SlowTasks::sleep);
    /** Reads the outcome of the spin with this token in this worker, or {@code null}. */
    public static final Task<String, String> OUTCOME = Task.of(OUTCOMES::get);
    /** Spins without looking at the abort flag for the given milliseconds, then tells where it ran. */
    public static final Task<Long, Where> WHERE = Task.withContext(SlowTasks::where);

    private SlowTasks() {
    }

    /**
     * The argument of the cooperative spin.
     *
     * @param token names this call in {@link #OUTCOMES} and {@link #STARTED}
     * @param budgetMillis how long to spin at most
     */
    public record Spin(String token, long budgetMillis) {
    }

    /**
     * Where a call ran.
     *
     * @param workerIndex {@code TaskContext.workerIndex()}
     * @param pid the process that ran it
     * @param threadId the thread that ran it
     * @param isMain {@code Knitting.isMain()} there
     */
    public record Where(int workerIndex, long pid, long threadId, boolean isMain) {
        /** @return whether the call ran on the thread that is asking */
        public boolean isCurrentThread() {
            return pid == ProcessHandle.current().pid() && threadId == Thread.currentThread().threadId();
        }
    }

    private static String spin(Spin spin, TaskContext context) {
        STARTED.add(spin.token());
        long deadline = context.nanoTime() + spin.budgetMillis() * 1_000_000L;
        String outcome = BUDGET;
        while (context.nanoTime() - deadline < 0) {
            if (context.aborted()) {
                outcome = ABORTED;
                break;
            }
            LockSupport.parkNanos(100_000);
        }
        OUTCOMES.put(spin.token(), outcome);
        return outcome;
    }

    private static String busy(Long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        return BUDGET;
    }

    private static String sleep(Long millis) {
        try {
            Thread.sleep(millis);
            return "slept";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static Where where(Long millis, TaskContext context) {
        long deadline = context.nanoTime() + millis * 1_000_000L;
        while (context.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        return new Where(context.workerIndex(), ProcessHandle.current().pid(), Thread.currentThread().threadId(),
                Knitting.isMain());
    }
}
