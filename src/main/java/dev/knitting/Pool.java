package dev.knitting;

import java.time.Duration;
import java.util.List;
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
     * Calls an exported task once per element of {@code arguments}, in chunks: a chunk of elements
     * travels as one message and is answered once, and the chunks are spread over the pool's lanes,
     * so that many small calls cost a few nanoseconds each instead of a future each. The result
     * holds one value per element, in the order of {@code arguments} (taken as the list is when
     * this method is called); {@code null} elements and results are valid.
     *
     * <p>The first element that fails fails the whole, and chunks not run yet are stopped: from
     * {@code join()} it throws a {@link java.util.concurrent.CompletionException} whose message
     * names the element's index and whose cause is the element's exception, as {@link #call} would
     * have failed with it. {@code cancel}, {@code abort} and the task's timeout apply to the whole
     * (a fallback timeout gives the fallback to every element without a result). Payload limits
     * apply per chunk; an element that cannot be sent fails the whole with a
     * {@link PayloadException} naming it. Otherwise a {@code callAll} behaves as calls would: the
     * inline lane may run chunks, never of imported tasks; a chunk a lost worker had not started
     * is sent again once; a worker that dies running one fails the whole. Each chunk counts as one
     * call in {@link #stats()} and for the pool's hard timeout, which bounds a chunk's run.
     *
     * @param task a task exported by one of the pool's task classes (or given to {@code start})
     * @param arguments the arguments, one task run each
     * @param <A> the argument type
     * @param <R> the result type
     * @return the pending results, in order
     * @throws IllegalArgumentException if the task is not in this pool
     * @throws NullPointerException if {@code task} or {@code arguments} is null
     */
    <A, R> TaskCall<List<R>> callAll(Task<A, R> task, List<? extends A> arguments);

    /**
     * {@link #callAll(Task, List)} for a bare task: a method reference to a public static
     * one-parameter method of one of the pool's task classes.
     *
     * @param function the method reference
     * @param arguments the arguments, one task run each
     * @param <A> the argument type
     * @param <R> the result type
     * @return the pending results, in order
     * @throws IllegalArgumentException if the function is an inline lambda, an instance method, or a
     *         method of a class the pool was not started with
     */
    <A, R> TaskCall<List<R>> callAll(TaskFunction<A, R> function, List<? extends A> arguments);

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
