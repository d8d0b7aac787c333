package dev.knitting.internal.host;

import java.time.Duration;

/** The host's grip on one worker, whatever kind it is. */
interface WorkerHandle {
    /** @return whether the worker can still answer */
    boolean isAlive();

    /** @return why the worker ended, if it ended abnormally, else {@code null} */
    Throwable failure();

    /** Stops a synchronous call that ran past the hard timeout, if it is the one running now. */
    void interruptIfRunning(long callId);

    /** Waits up to {@code timeout} for the worker to end after it was asked to stop. */
    boolean awaitExit(Duration timeout);
}
