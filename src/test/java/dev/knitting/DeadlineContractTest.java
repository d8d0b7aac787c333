package dev.knitting;

import static dev.knitting.ContractSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.testtasks.EchoTasks;
import dev.knitting.testtasks.SlowTasks;
import dev.knitting.testtasks.SlowTasks.Spin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Every host thread's wait ends by its own deadline, whatever the worker does (SPEC 1 and 3),
 * written once and run against each worker kind: {@code get(timeout)} throws on time while the
 * worker still runs the call, and a caller blocked by backpressure leaves when its call times out
 * or its thread is interrupted. The worker is held by a cooperative spin that runs until it is
 * aborted, far longer than any of these waits, so no assertion depends on a timing margin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, threadMode = SEPARATE_THREAD)
abstract class DeadlineContractTest {
    private static final long HOLD_MILLIS = 90_000;
    /**
     * A payload that fits one record of a 4 KiB ring: a sender may leave only before the first
     * record of its message is written, and a one-record message is all first record.
     */
    private static final int SMALL = 100;
    /** More such calls than a 4 KiB ring holds. */
    private static final int CALLS_PAST_A_FULL_RING = 80;
    private static final AtomicLong TOKENS = new AtomicLong();

    private final OpenPools pools = new OpenPools();

    protected abstract PoolBuilder withWorkerKind(PoolBuilder builder);

    @Test
    void getWithATimeoutThrowsTimeoutExceptionWhileTheWorkerStillRunsTheCall() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));

        assertThatThrownBy(() -> held.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(held).isNotDone();
        held.abort();
        assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(SlowTasks.ABORTED);
    }

    @Test
    void getWithoutATimeoutEndsWhenItsThreadIsInterrupted() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));
        CompletableFuture<Throwable> waiter = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                held.get();
                waiter.complete(null);
            } catch (Throwable t) {
                waiter.complete(t);
            }
        });

        thread.interrupt();

        assertThat(waiter.get(60, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(held).isNotDone();
        held.abort();
        assertThat(held.join()).isEqualTo(SlowTasks.ABORTED);
    }

    @Test
    void aCallerBlockedByAFullRingLeavesOnceItsCallTimesOut() throws Exception {
        Pool pool = start(Knitting.pool().threads(1).laneCapacity(4096));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));

        CompletableFuture<List<TaskCall<Object>>> caller = CompletableFuture.supplyAsync(() -> {
            List<TaskCall<Object>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS_PAST_A_FULL_RING; i++) {
                calls.add(pool.call(EchoTasks.ECHO_TIMEOUT_FAIL, new byte[SMALL]));
            }
            return calls;
        });

        List<TaskCall<Object>> calls = caller.get(60, TimeUnit.SECONDS);
        assertThat(held).as("the worker is still held").isNotDone();
        for (TaskCall<Object> call : calls) {
            assertThat(failureOf(call)).isInstanceOf(TaskTimeoutException.class);
        }
        held.abort();
        assertThat(held.join()).isEqualTo(SlowTasks.ABORTED);
        assertThat(pool.call(EchoTasks.SQUARE, 12).join()).isEqualTo(144);
    }

    @Test
    void aCallerInterruptedWhileTheRingIsFullGetsAFailedCallAndKeepsItsInterrupt() throws Exception {
        Pool pool = start(Knitting.pool().threads(1).laneCapacity(4096));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));

        record Outcome(List<TaskCall<Object>> calls, boolean stillInterrupted) {
        }
        CompletableFuture<Outcome> caller = CompletableFuture.supplyAsync(() -> {
            Thread.currentThread().interrupt();
            List<TaskCall<Object>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS_PAST_A_FULL_RING; i++) {
                calls.add(pool.call(EchoTasks.ECHO, new byte[SMALL]));
            }
            return new Outcome(calls, Thread.interrupted());
        });

        Outcome outcome = caller.get(60, TimeUnit.SECONDS);
        assertThat(outcome.stillInterrupted()).isTrue();
        List<TaskCall<Object>> refused = outcome.calls().stream().filter(CompletableFuture::isCompletedExceptionally)
                .toList();
        assertThat(refused).as("calls that found no ring space").isNotEmpty();
        for (TaskCall<Object> call : refused) {
            assertThat(failureOf(call)).isInstanceOf(KnittingException.class)
                    .hasMessageContaining("interrupted while waiting for space");
        }
        held.abort();
        assertThat(held.join()).isEqualTo(SlowTasks.ABORTED);
        for (TaskCall<Object> call : outcome.calls()) {
            if (!refused.contains(call)) {
                assertThat((byte[]) call.join()).hasSize(SMALL);
            }
        }
        assertThat(pool.call(EchoTasks.SQUARE, 5).join()).isEqualTo(25);
    }

    private Pool start(PoolBuilder builder) {
        Pool pool = withWorkerKind(builder).start(EchoTasks.class, SlowTasks.class);
        pools.add(pool);
        return pool;
    }

    private static String token() {
        return "deadline-" + TOKENS.incrementAndGet() + "-" + System.nanoTime();
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
    }
}
