package dev.knitting.testtasks;

import dev.knitting.Knitting;
import dev.knitting.Task;
import java.time.Duration;

/**
 * Tasks that hand their argument back or describe where they ran. Every worker kind must give the
 * same answers; nothing here depends on sharing memory with the test.
 */
public final class EchoTasks {
    /** Returns its argument: a round trip through the codec in both directions. */
    public static final Task<Object, Object> ECHO = Task.of(v -> v);
    /** {@link #ECHO} with a 300 ms timeout ({@code TaskTimeoutException}). */
    public static final Task<Object, Object> ECHO_TIMEOUT_FAIL = ECHO.timeout(Duration.ofMillis(300));
    /** {@code v * v}; a {@code null} argument fails with {@link NullPointerException} (unboxing). */
    public static final Task<Integer, Integer> SQUARE = Task.of(v -> v * v);
    /** {@link Knitting#isMain()} as seen by the task. */
    public static final Task<Object, Boolean> IS_MAIN = Task.of(ignored -> Knitting.isMain());
    /** {@code TaskContext.workerIndex()} of the lane that ran the call. */
    public static final Task<Object, Integer> WORKER_INDEX = Task.withContext((ignored, ctx) -> ctx.workerIndex());
    /** Returns a lambda, which cannot travel back: the call fails with a {@code PayloadException}. */
    public static final Task<Object, Object> RETURN_LAMBDA = Task.of(ignored -> (Runnable) () -> { });
    /** Returns a zeroed {@code byte[n]}: lets a test make the result, not the argument, too large. */
    public static final Task<Integer, byte[]> BYTES_OF_SIZE = Task.of(n -> new byte[n]);

    private EchoTasks() {
    }

    /**
     * A bare task, called by method reference ({@code EchoTasks::cube}).
     *
     * @param v the base
     * @return {@code v * v * v}
     */
    public static int cube(int v) {
        return v * v * v;
    }
}
