package dev.knitting.internal.task;

import dev.knitting.TaskCall;

/** The runtime side of a {@link TaskCall}: what abort and join do underneath. */
public interface CallControl {
    /** Raises the worker-visible abort flag of the call (no-op if it holds no abort slot). */
    void abort(TaskCall<?> call);

    /**
     * Called by a thread about to block on the call: spins helping to collect answers, then sleeps
     * on the lane's answer doorbell until the call is done. Returns early (and the caller falls
     * back to the future's own waiting) when the call is not at a worker or the thread is
     * interrupted.
     */
    void awaitBriefly(TaskCall<?> call);

    /** Called after the call completed, by whatever completed it (answer, timeout, cancel, shutdown). */
    void completed(TaskCall<?> call);
}
