package dev.knitting.internal.task;

import dev.knitting.TaskCall;

/** The runtime side of a {@link TaskCall}: what abort and join do underneath. */
public interface CallControl {
    /** Raises the worker-visible abort flag of the call (no-op if it holds no abort slot). */
    void abort(TaskCall<?> call);

    /**
     * Called by a thread about to block on the call: spins helping to collect answers, then sleeps
     * on the lane's answer doorbell until the call is done. Returns early (and the caller falls
     * back to the future's own waiting) when the call is not at a worker, the thread is
     * interrupted, or {@code timeoutNanos} have passed: {@code get(timeout)} must throw
     * {@code TimeoutException} on time whatever the worker does.
     *
     * @param timeoutNanos the longest this may wait; {@link Long#MAX_VALUE} for no limit
     */
    void awaitBriefly(TaskCall<?> call, long timeoutNanos);

    /** Called after the call completed, by whatever completed it (answer, timeout, cancel, shutdown). */
    void completed(TaskCall<?> call);
}
