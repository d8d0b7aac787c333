package dev.knitting.internal.host;

import dev.knitting.KnittingException;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Waits for a new worker to publish READY in its lane, or says why it never will. Start-up only. */
final class WorkerReadiness {
    private static final long POLL_NANOS = 200_000;

    private WorkerReadiness() {
    }

    /**
     * @param diagnostics what to add to the error (for example the worker's stderr tail)
     * @throws KnittingException if the worker failed, exited or did not become ready in time
     */
    static void await(int index, Lane lane, WorkerHandle worker, Duration timeout, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lane.workerState() != LaneDescriptor.WORKER_READY) {
            if (lane.workerState() == LaneDescriptor.WORKER_FAILED || !worker.isAlive()) {
                worker.awaitExit(Duration.ofSeconds(5));
                // the exit's message already carries the stderr tail; add it only when there is no exit yet
                String reason = worker.exited().isDone() ? worker.exited().join().getMessage()
                        : "it reported a failure" + diagnostics.get();
                throw new KnittingException("worker " + index + " failed to start: " + reason);
            }
            if (System.nanoTime() - deadline > 0) {
                worker.kill();
                throw new KnittingException("worker " + index + " did not become ready within " + timeout
                        + diagnostics.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
