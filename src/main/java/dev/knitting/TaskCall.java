package dev.knitting;

import dev.knitting.internal.task.CallControl;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The pending result of one call. Completes exactly once: with the task's value, the task's
 * exception, or a {@link KnittingException}. Waiting with {@link #join()} or {@link #get()} first
 * spins briefly and helps collect answers, so back-to-back calls avoid a thread wake-up. A virtual
 * thread spins only while the worker is running its call, then parks until the answer arrives: it
 * never blocks in native code, so it never pins its carrier.
 *
 * <p>Dependent actions attached with the non-async methods ({@code thenApply}, {@code
 * whenComplete}...) run on whichever thread completes the call, which may be the pool's answer
 * thread. Keep them short and never block in them: a {@code Pool.call} made there waits while the
 * lane's request ring is full, and while it waits that lane's answers are not collected. Use the
 * {@code ...Async} variants with your own executor for work that may block.
 *
 * @param <R> the result type
 */
public class TaskCall<R> extends CompletableFuture<R> {
    private final CallControl control;

    TaskCall(CallControl control) {
        this.control = control;
    }

    /**
     * Raises the worker's abort flag for this call and keeps waiting for the worker's answer:
     * an abort-aware task sees {@link TaskContext#aborted()} and may return early.
     */
    public void abort() {
        if (!isDone()) {
            control.abort(this);
        }
    }

    /**
     * Completes this call now with a {@link CancellationException}; with
     * {@code mayInterruptIfRunning} it also raises the worker's abort flag. The worker's late
     * answer is discarded.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            if (mayInterruptIfRunning) {
                control.abort(this);
            }
            control.completed(this);
        }
        return cancelled;
    }

    @Override
    public boolean complete(R value) {
        boolean done = super.complete(value);
        if (done) {
            control.completed(this);
        }
        return done;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean done = super.completeExceptionally(failure);
        if (done) {
            control.completed(this);
        }
        return done;
    }

    @Override
    public R join() {
        if (!isDone()) {
            control.awaitBriefly(this, Long.MAX_VALUE);
        }
        return super.join();
    }

    @Override
    public R get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            control.awaitBriefly(this, Long.MAX_VALUE);
        }
        return super.get();
    }

    @Override
    public R get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        if (isDone() || nanos <= 0) {
            return super.get(timeout, unit);
        }
        long start = System.nanoTime();
        control.awaitBriefly(this, nanos);
        return super.get(Math.max(0, nanos - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
