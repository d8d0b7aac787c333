package dev.knitting;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A running pool of workers. Calls are dispatched to lanes by the pool's {@link Balancer} and
 * answered through shared memory; every call ends exactly once. Thread-safe.
 */
public interface Pool extends AutoCloseable {

    /**
     * Calls an exported task. Never throws for a bad argument or a closed pool: the returned call
     * completes exceptionally instead ({@link PayloadException}, {@link PoolClosedException}...).
     *
     * @param task a task exported by one of the pool's task classes (or given to {@code start})
     * @param argument the argument; {@code null} is valid
     * @param <A> the argument type
     * @param <R> the result type
     * @return the pending result
     * @throws IllegalArgumentException if the task is not in this pool (a programming error, reported
     *         at once rather than through the future)
     */
    <A, R> TaskCall<R> call(Task<A, R> task, A argument);

    /**
     * Calls a bare task: a method reference to a public static one-parameter method of one of the
     * pool's task classes, such as {@code Tasks::cube}.
     *
     * @param function the method reference
     * @param argument the argument; {@code null} is valid
     * @param <A> the argument type
     * @param <R> the result type
     * @return the pending result
     * @throws IllegalArgumentException if the function is an inline lambda, an instance method, or a
     *         method of a class the pool was not started with
     */
    <A, R> TaskCall<R> call(TaskFunction<A, R> function, A argument);

    /**
     * Calls a task once {@code argument} completes; a failed stage fails the call with the
     * stage's exception, without dispatching.
     *
     * @param task an exported task
     * @param argument the stage whose value becomes the argument
     * @param <A> the argument type
     * @param <R> the result type
     * @return the pending result
     */
    <A, R> TaskCall<R> callAfter(Task<A, R> task, CompletionStage<? extends A> argument);

    /**
     * Stops taking calls and completes when every call already submitted has ended and the workers
     * have stopped. Idempotent.
     *
     * @return completes when the pool has stopped
     */
    CompletableFuture<Void> shutdown();

    /**
     * Stops taking calls, gives the calls already submitted up to {@code grace} to end, then fails
     * the rest with {@link PoolClosedException} and stops the workers.
     *
     * @param grace how long submitted calls may still run; zero means {@link #shutdownNow()}
     * @return completes when the pool has stopped
     */
    CompletableFuture<Void> shutdown(Duration grace);

    /**
     * Stops taking calls, fails every pending call with {@link PoolClosedException} (raising the
     * abort flags of running ones) and stops the workers.
     *
     * @return completes when the pool has stopped
     */
    CompletableFuture<Void> shutdownNow();

    /** {@code shutdown().join()}: waits for submitted calls, then stops. */
    @Override
    void close();

    /** {@return a snapshot of the pool's counters} */
    PoolStats stats();
}
