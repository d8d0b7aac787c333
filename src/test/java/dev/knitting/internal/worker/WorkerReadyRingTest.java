package dev.knitting.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.IdlePolicy;
import dev.knitting.Task;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.task.TaskTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker rings the lane's pump doorbell right after it publishes READY, so a host asleep there
 * (its start thread) wakes at once instead of at the end of a sleep slice.
 */
class WorkerReadyRingTest {
    private static final int CAPACITY = 1 << 12;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHostAsleepOnThePumpDoorbellIsWokenWhenTheWorkerIsReady() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(Lane.requiredBytes(CAPACITY, CAPACITY, 8), 128);
            Lane host = Lane.format(memory, CAPACITY, CAPACITY, 8, Waiter.inProcess());
            TaskTable table = TaskTable.fromClasses(ReadyRingTasks.class);
            WorkerSpec spec = new WorkerSpec(0, table.names(), table.fingerprint(), Set.of(), 1 << 20,
                    IdlePolicy.BALANCED, "", "");
            AtomicBoolean sawReady = new AtomicBoolean();
            // Asleep for longer than the test may run: only a ring ends this sleep in time.
            Thread sleeper = Thread.ofPlatform().daemon().start(() -> sawReady.set(host.pumpDoorbell().sleep(
                    () -> host.workerState() == LaneDescriptor.WORKER_READY, TimeUnit.MINUTES.toNanos(10))));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (host.pumpDoorbell().waiters() == 0) {
                assertThat(System.nanoTime() - deadline).as("the sleeper never slept").isNegative();
                Thread.sleep(1);
            }
            AtomicReference<Throwable> loopFailure = new AtomicReference<>();
            Thread worker = Thread.ofPlatform().daemon().start(() -> {
                try {
                    new WorkerLoop(memory, spec, WorkerReadyRingTest.class.getClassLoader(), Waiter.inProcess(),
                            Peer.processHost()).run();
                } catch (Throwable t) {
                    loopFailure.set(t);
                }
            });

            sleeper.join(TimeUnit.SECONDS.toMillis(60));

            assertThat(sleeper.isAlive()).as("the host still sleeps after the worker became ready").isFalse();
            assertThat(sawReady).isTrue();
            host.hostState(LaneDescriptor.HOST_GONE);
            host.requests().dataDoorbell().ring();
            worker.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(worker.isAlive()).as("the worker loop ended after the host left").isFalse();
            assertThat(loopFailure.get()).isNull();
            assertThat(host.workerState()).isEqualTo(LaneDescriptor.WORKER_STOPPED);
        }
    }

    /** The task table of the worker: tasks must be public static final fields of a public class. */
    public static final class ReadyRingTasks {
        /** The one task. */
        public static final Task<Integer, Integer> INC = Task.of(v -> v + 1);

        private ReadyRingTasks() {
        }
    }
}
