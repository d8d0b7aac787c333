package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.IdlePolicy;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IdleStrategyTest {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private static IdlePolicy policy(String name) {
        return switch (name) {
            case "BALANCED" -> IdlePolicy.BALANCED;
            case "LOW_LATENCY" -> IdlePolicy.LOW_LATENCY;
            case "LOW_CPU" -> IdlePolicy.LOW_CPU;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"BALANCED", "LOW_LATENCY", "LOW_CPU"})
    @Timeout(60)
    void awaitReturnsFalseAfterTheTimeoutWhenNeverReady(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Doorbell bell = new Doorbell(arena.allocate(128, 128), 0, Waiter.platform());
            long timeout = TimeUnit.MILLISECONDS.toNanos(30);
            long start = System.nanoTime();
            assertThat(new IdleStrategy(policy(name)).await(() -> false, bell, timeout)).isFalse();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(timeout);
            assertThat(bell.waiters()).isZero();
        }
    }

    @Test
    void awaitChecksOnceWithoutWaitingForAZeroTimeout() {
        try (Arena arena = Arena.ofConfined()) {
            Doorbell bell = new Doorbell(arena.allocate(128, 128), 0, Waiter.platform());
            AtomicInteger checks = new AtomicInteger();
            IdleStrategy idle = new IdleStrategy(IdlePolicy.LOW_LATENCY);
            assertThat(idle.await(() -> checks.incrementAndGet() < 0, bell, 0)).isFalse();
            assertThat(checks).hasValue(1);
            assertThat(idle.await(() -> true, bell, 0)).isTrue();
        }
    }

    @Test
    @Timeout(60)
    void awaitSeesAConditionSetDuringTheSpinPhaseWithoutARing() throws Exception {
        // A one-hour spin: only the spin loop can notice the flag, since nobody rings.
        IdleStrategy idle = new IdleStrategy(new IdlePolicy(Duration.ofHours(1), 0, Duration.ofMillis(1)));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(256, 128);
            Doorbell bell = new Doorbell(memory, 128, Waiter.platform());
            AtomicInteger checks = new AtomicInteger();
            BooleanSupplier ready = () -> checks.incrementAndGet() > 0 && (int) INT.getAcquire(memory, 0L) == 1;
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> idle.await(ready, bell, HOUR));
            LaneTesting.await(() -> checks.get() > 1000, "the spinner to spin");
            INT.setRelease(memory, 0L, 1);
            assertThat(waiting.get()).isTrue();
            assertThat(bell.waiters()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BALANCED", "LOW_CPU"})
    @Timeout(60)
    void awaitWakesWhenAnotherThreadPublishesAndRings(String name) throws Exception {
        IdleStrategy idle = new IdleStrategy(policy(name));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(256, 128);
            Doorbell bell = new Doorbell(memory, 128, Waiter.platform());
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                    () -> idle.await(() -> (int) INT.getAcquire(memory, 0L) == 1, bell, HOUR));
            LaneTesting.await(() -> bell.waiters() == 1, "the waiter to park");
            INT.setRelease(memory, 0L, 1);
            bell.ring();
            assertThat(waiting.get()).isTrue();
        }
    }
}
