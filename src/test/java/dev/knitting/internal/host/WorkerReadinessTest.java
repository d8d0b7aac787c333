package dev.knitting.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.knitting.IdlePolicy;
import dev.knitting.KnittingException;
import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.os.Waiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The host's wait for a starting worker sleeps on the lane's pump doorbell, which the worker rings
 * when it publishes READY: no start thread polls while worker JVMs boot beside it.
 */
class WorkerReadinessTest {
    private static final int CAPACITY = 1 << 12;
    private static final Duration LONG = Duration.ofMinutes(2);

    private final LaneMemory memory = LaneMemory.forThreadWorker(Lane.requiredBytes(CAPACITY, CAPACITY, 8));
    private final Lane lane = Lane.format(memory.segment(), CAPACITY, CAPACITY, 8, Waiter.inProcess());
    private final Incarnation incarnation = new Incarnation(0, memory, lane, IdlePolicy.BALANCED, 1 << 20);
    private final FakeWorker worker = new FakeWorker();

    @AfterEach
    void freeLane() {
        memory.release();
        memory.release();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theStartSleepsOnThePumpDoorbellAndTheWorkersRingAtReadyWakesIt() throws Exception {
        incarnation.worker(worker);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread start = Thread.ofPlatform().daemon().start(() -> {
            try {
                WorkerReadiness.await(0, incarnation, BootstrapHandoff.NONE, LONG, () -> "");
            } catch (Throwable t) {
                failure.set(t);
            }
            returned.countDown();
        });
        awaitSleeper();

        lane.workerState(LaneDescriptor.WORKER_READY);
        boolean woke = lane.pumpDoorbell().ring();

        assertThat(woke).as("the ring found the start asleep on the doorbell and woke it").isTrue();
        assertThat(returned.await(60, TimeUnit.SECONDS)).as("the start returned").isTrue();
        assertThat(failure.get()).isNull();
        start.join();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWorkerThatDiesWithoutRingingIsStillReportedAsFailedToStart() throws Exception {
        incarnation.worker(worker);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread start = Thread.ofPlatform().daemon().start(() -> failure.set(catchThrowable(() ->
                WorkerReadiness.await(0, incarnation, BootstrapHandoff.NONE, LONG, () -> "; no stderr"))));
        awaitSleeper();

        worker.die(); // no ring: the start notices at the end of its slice

        start.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(start.isAlive()).as("the start still waits for a dead worker").isFalse();
        assertThat(failure.get()).isInstanceOf(KnittingException.class)
                .hasMessageContaining("worker 0 failed to start").hasMessageContaining("worker gone");
    }

    /** Waits until the start thread sleeps on the pump doorbell (it never gets there by polling). */
    private void awaitSleeper() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lane.pumpDoorbell().waiters() == 0) {
            assertThat(System.nanoTime() - deadline).as("the start never slept on the pump doorbell").isNegative();
            Thread.sleep(1);
        }
    }

    /** A worker that lives until told to die, then reports how it ended. */
    private static final class FakeWorker implements WorkerHandle {
        private final CompletableFuture<WorkerCrashedException> exited = new CompletableFuture<>();
        private volatile boolean alive = true;

        void die() {
            alive = false;
            exited.complete(new WorkerCrashedException("worker gone", null, null, "", null));
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public CompletableFuture<WorkerCrashedException> exited() {
            return exited;
        }

        @Override
        public void stopRunaway(long callId) {
        }

        @Override
        public void kill() {
            die();
        }
    }
}
