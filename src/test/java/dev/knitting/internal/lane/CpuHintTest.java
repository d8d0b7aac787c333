package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.IdlePolicy;
import dev.knitting.internal.os.CurrentCpu;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CpuHintTest {
    private static final int TRIES = 1000;

    private static MemorySegment laneHeader(Arena arena) {
        return arena.allocate(LaneDescriptor.ABORT_BITSET_OFFSET, 128);
    }

    /** Runs {@code probe} until the thread's CPU stayed the same around it; migration is legal. */
    private static boolean onOneCpu(BooleanSupplier probe) {
        for (int i = 0; i < TRIES; i++) {
            int before = CurrentCpu.id();
            boolean result = probe.getAsBoolean();
            if (CurrentCpu.id() == before) {
                return result;
            }
        }
        throw new AssertionError("the thread migrated during every one of " + TRIES + " probes");
    }

    @BeforeAll
    static void linkTheCpuBinding() {
        assertThat(CurrentCpu.linkNow()).isTrue(); // surefire runs with --enable-native-access
    }

    @Test
    void currentCpuIsANonNegativeNumberOnLinuxWithNativeAccess() {
        assertThat(CurrentCpu.available()).isTrue(); // surefire runs with --enable-native-access
        assertThat(CurrentCpu.id()).isBetween(0, Runtime.getRuntime().availableProcessors() * 64);
    }

    @Test
    void aSideSeesItsPeerOnItsOwnCpuOnlyWhenThePeerPublishedThatCpu() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = laneHeader(arena);
            CpuHint host = CpuHint.of(header, true);
            CpuHint worker = CpuHint.of(header, false);
            assertThat(host.peerSharesMyCpu()).as("the worker published nothing yet").isFalse();
            assertThat(onOneCpu(() -> worker.peerSharesMyCpu() && host.peerSharesMyCpu()))
                    .as("both sides on the calling thread's CPU").isTrue();
            worker.sleeping();
            assertThat(header.get(ValueLayout.JAVA_INT, LaneDescriptor.WORKER_CPU_OFFSET)).isZero();
            assertThat(host.peerSharesMyCpu()).as("a sleeping worker holds no CPU").isFalse();
        }
    }

    @Test
    void aSidePublishesOnePlusItsCpuInItsOwnWordOnly() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = laneHeader(arena);
            CpuHint host = CpuHint.of(header, true);
            assertThat(onOneCpu(() -> {
                host.peerSharesMyCpu();
                return header.get(ValueLayout.JAVA_INT, LaneDescriptor.HOST_CPU_OFFSET) == CurrentCpu.id() + 1;
            })).isTrue();
            assertThat(header.get(ValueLayout.JAVA_INT, LaneDescriptor.WORKER_CPU_OFFSET)).isZero();
        }
    }

    @Test
    void anyValueAHostilePeerWritesIsOnlyCompared() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = laneHeader(arena);
            CpuHint host = CpuHint.of(header, true);
            for (int forged : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 20}) {
                header.set(ValueLayout.JAVA_INT, LaneDescriptor.WORKER_CPU_OFFSET, forged);
                assertThat(host.peerSharesMyCpu()).as("forged=%d", forged).isFalse();
            }
        }
    }

    @Test
    void aSideSeesItsPeerElsewhereOnlyWhenThePeerPublishedAnotherCpu() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = laneHeader(arena);
            CpuHint host = CpuHint.of(header, true);
            CpuHint worker = CpuHint.of(header, false);
            assertThat(host.peerRunsElsewhere()).as("the worker published nothing yet").isFalse();
            assertThat(onOneCpu(() -> {
                worker.peerSharesMyCpu();
                return host.peerRunsElsewhere();
            })).as("the worker published the calling thread's CPU").isFalse();
            assertThat(onOneCpu(() -> {
                header.set(ValueLayout.JAVA_INT, LaneDescriptor.WORKER_CPU_OFFSET, CurrentCpu.id() + 2);
                return host.peerRunsElsewhere();
            })).as("the worker published another CPU").isTrue();
            worker.sleeping();
            assertThat(host.peerRunsElsewhere()).as("a sleeping worker runs nowhere").isFalse();
            header.set(ValueLayout.JAVA_INT, LaneDescriptor.WORKER_CPU_OFFSET, -5);
            assertThat(host.peerRunsElsewhere()).as("a forged negative CPU is unknown").isFalse();
        }
    }

    @Test
    void theNoneHintNeverSharesAndWritesNothing() {
        assertThat(CpuHint.NONE.peerSharesMyCpu()).isFalse();
        assertThat(CpuHint.NONE.peerRunsElsewhere()).isFalse();
        CpuHint.NONE.sleeping();
    }

    @Test
    @Timeout(120)
    void aWaiterWhosePeerSharesItsCpuStillSeesTheConditionAndStillTimesOut() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment header = laneHeader(arena);
            CpuHint host = CpuHint.of(header, true);
            Doorbell bell = new Doorbell(arena.allocate(128, 128), 0, Waiter.platform());
            IdleStrategy strategy = new IdleStrategy(IdlePolicy.BALANCED);
            AtomicBoolean ready = new AtomicBoolean();
            // the peer claims every CPU the waiter may be on, by rewriting its word on each check
            BooleanSupplier packedReady = () -> {
                header.set(ValueLayout.JAVA_INT, LaneDescriptor.WORKER_CPU_OFFSET, CurrentCpu.id() + 1);
                return ready.get();
            };
            header.set(ValueLayout.JAVA_INT, LaneDescriptor.WORKER_CPU_OFFSET, CurrentCpu.id() + 1);
            assertThat(strategy.await(packedReady, bell, TimeUnit.MILLISECONDS.toNanos(20), host)).isFalse();
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                    () -> strategy.await(packedReady, bell, TimeUnit.SECONDS.toNanos(60), host));
            ready.set(true);
            bell.ring();
            assertThat(waiting.get(90, TimeUnit.SECONDS)).isTrue();
        }
    }
}
