package dev.knitting;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A pool started for one task ({@link Task#pool}): {@code call(argument)} calls it.
 *
 * @param <A> the argument type
 * @param <R> the result type
 */
public final class SingleTaskPool<A, R> implements AutoCloseable {
    private final Pool pool;
    private final Task<A, R> task;

    SingleTaskPool(Pool pool, Task<A, R> task) {
        this.pool = Objects.requireNonNull(pool);
        this.task = Objects.requireNonNull(task);
    }

    /**
     * Calls the task.
     *
     * @param argument the argument; {@code null} is valid
     * @return the pending result
     */
    public TaskCall<R> call(A argument) {
        return pool.call(task, argument);
    }

    /**
     * Calls the task once per element, in chunks, as {@link Pool#callAll(Task, List)} does.
     *
     * @param arguments the arguments, one task run each
     * @return the pending results, in order
     */
    public TaskCall<List<R>> callAll(List<? extends A> arguments) {
        return pool.callAll(task, arguments);
    }

    /** {@return the underlying pool (for stats and shutdown variants)} */
    public Pool pool() {
        return pool;
    }

    /**
     * Stops the pool as {@link Pool#shutdown(Duration)} does.
     *
     * @param grace how long submitted calls may still run; zero means {@link Pool#shutdownNow()}
     * @return completes when the pool has stopped
     */
    public CompletableFuture<Void> shutdown(Duration grace) {
        return pool.shutdown(grace);
    }

    /** Waits for submitted calls, then stops the workers. */
    @Override
    public void close() {
        pool.close();
    }
}
