package dev.knitting.internal.task;

import dev.knitting.TaskCall;

/** The runtime side of a {@link TaskCall}: what abort and join do underneath. */
public interface CallControl {
    /** Raises the worker-visible abort flag of the call (no-op if it holds no abort slot). */
    void abort(TaskCall<?> call);

    /**
     * Called by a thread about to block on the call: may spin and help drain responses for a
     * short while. Returns when the call is done or the spin budget is spent.
     */
    void awaitBriefly(TaskCall<?> call);
}
