package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AbortTest {
    private static final int CAPACITY = 130;

    private Arena arena;
    private AbortBitset bits;

    @BeforeEach
    void setUp() {
        arena = Arena.ofShared();
        bits = new AbortBitset(arena.allocate(LaneDescriptor.abortBitsetBytes(CAPACITY), 128), CAPACITY);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 64, 65, 127, 128, 129})
    void raiseAndClearTouchOnlyTheirOwnBit(int slot) {
        bits.raise(slot);
        for (int s = 0; s < CAPACITY; s++) {
            assertThat(bits.isRaised(s)).as("slot %d", s).isEqualTo(s == slot);
        }
        bits.raise(slot);
        assertThat(bits.isRaised(slot)).isTrue();
        bits.clear(slot);
        for (int s = 0; s < CAPACITY; s++) {
            assertThat(bits.isRaised(s)).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, CAPACITY, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void slotsOutsideTheCapacityAreRejected(int slot) {
        assertThatThrownBy(() -> bits.raise(slot)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slot=" + slot);
        assertThatThrownBy(() -> bits.clear(slot)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bits.isRaised(slot)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Timeout(60)
    void concurrentRaisesInOneWordAreAllKept() throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int first = t;
            all.add(CompletableFuture.runAsync(() -> {
                for (int slot = first; slot < 64; slot += 4) {
                    bits.raise(slot);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        for (int slot = 0; slot < 64; slot++) {
            assertThat(bits.isRaised(slot)).isTrue();
        }
    }

    @Test
    void allocatorHandsOutEverySlotOnceThenReportsExhaustionAndReusesReleasedSlots() {
        AbortSlotAllocator allocator = new AbortSlotAllocator(bits);
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < CAPACITY; i++) {
            int slot = allocator.tryAcquire();
            assertThat(slot).isBetween(0, CAPACITY - 1);
            assertThat(slots.add(slot)).as("slot %d handed out twice", slot).isTrue();
        }
        assertThat(allocator.inUse()).isEqualTo(CAPACITY);
        assertThat(allocator.tryAcquire()).isEqualTo(-1);

        allocator.release(129);
        assertThat(allocator.inUse()).isEqualTo(CAPACITY - 1);
        assertThat(allocator.tryAcquire()).isEqualTo(129);
        assertThat(allocator.tryAcquire()).isEqualTo(-1);
    }

    @Test
    void acquiringASlotClearsAStaleRaise() {
        AbortSlotAllocator allocator = new AbortSlotAllocator(bits);
        int slot = allocator.tryAcquire();
        bits.raise(slot);
        allocator.release(slot);
        assertThat(bits.isRaised(slot)).isTrue();
        while (true) {
            int next = allocator.tryAcquire();
            if (next == slot) {
                break;
            }
            assertThat(next).isNotEqualTo(-1);
        }
        assertThat(bits.isRaised(slot)).isFalse();
    }

    @Test
    void releasingASlotNotInUseIsRejected() {
        AbortSlotAllocator allocator = new AbortSlotAllocator(bits);
        assertThatThrownBy(() -> allocator.release(5)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("slot=5");
        assertThatThrownBy(() -> allocator.release(CAPACITY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zeroCapacityAllocatorIsAlwaysExhausted() {
        AbortSlotAllocator allocator = new AbortSlotAllocator(new AbortBitset(arena.allocate(8, 8), 0));
        assertThat(allocator.tryAcquire()).isEqualTo(-1);
        assertThat(allocator.capacity()).isZero();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentAcquireAndReleaseNeverShareASlot() throws Exception {
        AbortSlotAllocator allocator = new AbortSlotAllocator(bits);
        AtomicIntegerArray owners = new AtomicIntegerArray(CAPACITY);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 1; t <= 4; t++) {
            int me = t;
            all.add(CompletableFuture.runAsync(() -> {
                List<Integer> held = new ArrayList<>();
                for (int i = 0; i < 50_000; i++) {
                    if (held.size() < 40) {
                        int slot = allocator.tryAcquire();
                        if (slot >= 0) {
                            if (!owners.compareAndSet(slot, 0, me)) {
                                throw new AssertionError("slot " + slot + " held by " + owners.get(slot));
                            }
                            held.add(slot);
                            continue;
                        }
                    }
                    if (!held.isEmpty()) {
                        int slot = held.remove(held.size() - 1);
                        owners.set(slot, 0);
                        allocator.release(slot);
                    }
                }
                for (int slot : held) {
                    owners.set(slot, 0);
                    allocator.release(slot);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        assertThat(allocator.inUse()).isZero();
    }
}
