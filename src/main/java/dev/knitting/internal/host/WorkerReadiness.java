package dev.knitting.internal.host;

import dev.knitting.KnittingException;
import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Brings a new worker to READY in its lane, or says why it never will: hands it the bootstrap data
 * if the pool has a bootstrap, then waits. Start-up only.
 *
 * <p>The wait sleeps on the lane's pump doorbell, which the worker rings once it published READY
 * ({@code WorkerLoop}), in slices of at most {@link #SLICE_NANOS}: a worker that fails or dies
 * without ringing is seen within a slice. It does not poll: eight pools' start threads polling
 * every 200 us took about a fifth of a core from the worker JVMs booting beside them.
 */
final class WorkerReadiness {
    /** Longest sleep between two looks at the worker's state, liveness and the deadline. */
    static final long SLICE_NANOS = 10_000_000;

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
        Settled settled = new Settled(lane);
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
            long left = deadline - System.nanoTime();
            lane.pumpDoorbell().sleep(settled, Math.max(1, Math.min(left, SLICE_NANOS)));
        }
    }

    /**
     * Whether the worker said how its start ended: READY or FAILED. A class, not a lambda: a cold
     * JVM would spin one for it on every pool's start (see {@code ThreadPoolColdStartTest}).
     */
    private record Settled(Lane lane) implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            int state = lane.workerState();
            return state == LaneDescriptor.WORKER_READY || state == LaneDescriptor.WORKER_FAILED;
        }
    }
}
