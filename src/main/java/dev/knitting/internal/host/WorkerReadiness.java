package dev.knitting.internal.host;

import dev.knitting.KnittingException;
import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Brings a new worker to READY in its lane, or says why it never will: hands it the bootstrap data
 * if the pool has a bootstrap, then waits. Start-up only.
 */
final class WorkerReadiness {
    private static final long POLL_NANOS = 200_000;

    private WorkerReadiness() {
    }

    /**
     * @param bootstrap the pool's bootstrap, {@link BootstrapHandoff#NONE} for none
     * @param timeout how long the worker may take, bootstrap included
     * @param diagnostics what to add to the error (for example the worker's stderr tail)
     * @throws KnittingException if the worker failed, exited or did not become ready in time; for a
     *         thread worker, its exception is the cause
     */
    static void await(int index, Incarnation incarnation, BootstrapHandoff bootstrap, Duration timeout,
                      Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        WorkerHandle worker = incarnation.worker();
        bootstrap.deliver(incarnation, worker, deadline);
        Lane lane = incarnation.lane();
        while (lane.workerState() != LaneDescriptor.WORKER_READY) {
            if (lane.workerState() == LaneDescriptor.WORKER_FAILED || !worker.isAlive()) {
                worker.awaitExit(Duration.ofSeconds(5));
                // the exit's message already carries the stderr tail; add it only when there is no exit yet
                WorkerCrashedException exit = worker.exited().isDone() ? worker.exited().join() : null;
                String reason = exit != null ? exit.getMessage() : "it reported a failure" + diagnostics.get();
                throw new KnittingException("worker " + index + " failed to start: " + reason,
                        exit == null ? null : exit.getCause());
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
