package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.IdlePolicy;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DoorbellTest {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    /** Counts wakes, and sleeps that ran their full timeout (a lost wake-up in a ping-pong). */
    static final class CountingWaiter implements Waiter {
        final Waiter delegate = Waiter.platform();
        final AtomicInteger wakes = new AtomicInteger();
        final AtomicInteger fullTimeouts = new AtomicInteger();

        @Override
        public void await(MemorySegment word, int expected, long timeoutNanos) {
            long start = System.nanoTime();
            delegate.await(word, expected, timeoutNanos);
            if (System.nanoTime() - start >= timeoutNanos && (int) INT.getVolatile(word, 0L) == expected) {
                fullTimeouts.incrementAndGet();
            }
        }

        @Override
        public void wake(MemorySegment word, int count) {
            wakes.incrementAndGet();
            delegate.wake(word, count);
        }

        @Override
        public boolean crossProcess() {
            return delegate.crossProcess();
        }
    }

    @Test
    void ringWithNobodySleepingPaysNoWake() {
        CountingWaiter waiter = new CountingWaiter();
        try (Arena arena = Arena.ofConfined()) {
            Doorbell bell = new Doorbell(arena.allocate(128, 128), 0, waiter);
            bell.ring();
            bell.ring();
            assertThat(waiter.wakes).hasValue(0);
            assertThat(bell.sequence()).isZero();
        }
    }

    @Test
    void sleepReturnsAtOnceWhenReadyAndLeavesNoWaiterBehind() {
        try (Arena arena = Arena.ofConfined()) {
            Doorbell bell = new Doorbell(arena.allocate(128, 128), 64, Waiter.platform());
            assertThat(bell.sleep(() -> true, HOUR)).isTrue();
            assertThat(bell.waiters()).isZero();
        }
    }

    @Test
    @Timeout(60)
    void sleepTimesOutWhenNothingHappens() {
        try (Arena arena = Arena.ofConfined()) {
            Doorbell bell = new Doorbell(arena.allocate(128, 128), 0, Waiter.platform());
            long start = System.nanoTime();
            assertThat(bell.sleep(() -> false, TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(bell.waiters()).isZero();
        }
    }

    @Test
    @Timeout(60)
    void ringWakesARegisteredSleeper() throws Exception {
        CountingWaiter waiter = new CountingWaiter();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(256, 128);
            Doorbell bell = new Doorbell(memory, 128, waiter);
            BooleanSupplier ready = () -> (int) INT.getAcquire(memory, 0L) != 0;
            CompletableFuture<Boolean> sleeper = CompletableFuture.supplyAsync(() -> bell.sleep(ready, HOUR));
            LaneTesting.await(() -> bell.waiters() == 1, "the sleeper to register");

            INT.setRelease(memory, 0L, 1);
            bell.ring();

            assertThat(sleeper.get()).isTrue();
            assertThat(waiter.wakes).hasValue(1);
            assertThat(bell.waiters()).isZero();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void pingPongThroughBareDoorbellsLosesNoWakeUp() throws Exception {
        // Sleeps are one hour long: a single lost wake-up hangs the test into its timeout.
        pingPong(3, 1_000, new CountingWaiter(), (bell, ready) -> {
            while (!bell.sleep(ready, HOUR)) {
                // spurious: sleep again
            }
        });
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void pingPongWithTheLowCpuPolicyFinishes() throws Exception {
        IdleStrategy idle = new IdleStrategy(IdlePolicy.LOW_CPU);
        pingPong(3, 1_000, new CountingWaiter(), (bell, ready) -> {
            while (!idle.await(ready, bell, HOUR)) {
                // keep waiting
            }
        });
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void pingPongWithLongParksNeverSleepsOutAFullPark() throws Exception {
        // LOW_CPU with the longest park: a lost wake-up shows as a park that ran its full 10 s.
        IdleStrategy idle = new IdleStrategy(new IdlePolicy(Duration.ZERO, 0, Duration.ofSeconds(10)));
        CountingWaiter waiter = new CountingWaiter();
        pingPong(2, 1_000, waiter, (bell, ready) -> {
            while (!idle.await(ready, bell, HOUR)) {
                // keep waiting
            }
        });
        assertThat(waiter.fullTimeouts).hasValue(0);
    }

    interface Wait {
        void waitFor(Doorbell bell, BooleanSupplier ready);
    }

    /**
     * {@code pairs} pairs of threads; in each, A publishes round i and rings B's doorbell, B answers
     * i and rings A's, {@code rounds} times. Both always wait by sleeping, so every round depends on
     * a wake-up reaching its sleeper.
     */
    private static void pingPong(int pairs, int rounds, Waiter waiter, Wait wait) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                // ping at 0, pong at 128, bell of A at 256, bell of B at 384
                MemorySegment memory = arena.allocate(512, 128);
                Doorbell bellA = new Doorbell(memory, 256, waiter);
                Doorbell bellB = new Doorbell(memory, 384, waiter);
                all.add(CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= rounds; i++) {
                        INT.setRelease(memory, 0L, i);
                        bellB.ring();
                        int round = i;
                        wait.waitFor(bellA, () -> (int) INT.getAcquire(memory, 128L) == round);
                    }
                }, runnable -> Thread.ofPlatform().start(runnable)));
                all.add(CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= rounds; i++) {
                        int round = i;
                        wait.waitFor(bellB, () -> (int) INT.getAcquire(memory, 0L) == round);
                        INT.setRelease(memory, 128L, i);
                        bellA.ring();
                    }
                }, runnable -> Thread.ofPlatform().start(runnable)));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        }
    }
}
