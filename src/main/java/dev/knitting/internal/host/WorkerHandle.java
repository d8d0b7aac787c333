package dev.knitting.internal.host;

import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.share.DescriptorChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The host's grip on one worker, whatever kind it is. */
interface WorkerHandle {
    /** @return the process the worker runs in (the host's own for a thread worker) */
    long pid();

    /** @return whether the worker can still answer */
    boolean isAlive();

    /**
     * @return completes when the worker has ended, with how it ended described as the exception its
     *         taken calls fail with (exit code, signal and stderr tail for processes)
     */
    CompletableFuture<WorkerCrashedException> exited();

    /**
     * Stops a call that ran past the hard timeout if this worker may be running it: a thread worker
     * is interrupted if it runs that call now; a process worker is killed.
     */
    void stopRunaway(long callId);

    /**
     * @return the channel that hands descriptors to this worker, or null if it takes none that way
     *     (a thread worker, or a process worker reading its host's descriptors in {@code /proc})
     */
    default DescriptorChannel descriptors() {
        return null;
    }

    /** Ends the worker at once (process: SIGKILL; thread: interrupt, the thread ends when it can). */
    void kill();

    /** Waits up to {@code timeout} for the worker to end after it was asked to stop. */
    default boolean awaitExit(Duration timeout) {
        try {
            exited().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }
}
