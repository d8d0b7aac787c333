package dev.knitting.testtasks;

import dev.knitting.Task;
import dev.knitting.TaskContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Tasks for {@code callAll} tests. Each run of {@link #STEP} is counted per token in the worker's
 * JVM, and {@link #COUNT} reads that count back (on a one-worker pool it runs after every chunk
 * sent before it), so a test can tell how many elements ran on thread and process workers alike.
 */
public final class BatchTasks {
    /** Runs of {@link #STEP} per token, in the worker's JVM. */
    public static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();
    /** Longest a blocking step waits for its abort flag. */
    private static final long BLOCK_BUDGET_NANOS = Duration.ofSeconds(60).toNanos();

    /** Counts itself, fails at {@code failAt}, waits for its abort flag from {@code blockFrom} on, returns {@code 2 * value}. */
    public static final Task<Step, Integer> STEP = Task.withContext(BatchTasks::step);
    /** {@link #STEP} with a 300 ms timeout that fails the call. */
    public static final Task<Step, Integer> STEP_TIMEOUT_FAIL = STEP.timeout(Duration.ofMillis(300));
    /** {@link #STEP} with a 300 ms timeout that gives {@code -1}. */
    public static final Task<Step, Integer> STEP_TIMEOUT_FALLBACK = STEP.timeout(Duration.ofMillis(300), -1);
    /** How many runs of {@link #STEP} this worker counted for a token. */
    public static final Task<String, Integer> COUNT = Task.of(token -> {
        AtomicInteger count = COUNTS.get(token);
        return count == null ? 0 : count.get();
    });

    private BatchTasks() {
    }

    /**
     * One element of a counted batch.
     *
     * @param token names the batch in {@link #COUNTS}
     * @param value the element's value
     * @param failAt the value that throws {@code IllegalStateException}, or -1
     * @param blockFrom values from this one on wait for their abort flag (at most a minute); -1 for none
     */
    public record Step(String token, int value, int failAt, int blockFrom) {
    }

    private static Integer step(Step step, TaskContext context) {
        COUNTS.computeIfAbsent(step.token(), t -> new AtomicInteger()).incrementAndGet();
        if (step.value() == step.failAt()) {
            throw new IllegalStateException("step " + step.value() + " fails");
        }
        if (step.blockFrom() >= 0 && step.value() >= step.blockFrom()) {
            long deadline = System.nanoTime() + BLOCK_BUDGET_NANOS;
            while (!context.aborted() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(100_000);
            }
        }
        return 2 * step.value();
    }
}
