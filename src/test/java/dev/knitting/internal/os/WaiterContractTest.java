package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Waiter} promises, run once per implementation. Sleeps use timeouts far longer
 * than the test's own {@code @Timeout}, so a lost wake-up fails the test instead of being hidden by
 * a timed return.
 */
abstract class WaiterContractTest {
    private static final VarHandle INT = JAVA_INT.varHandle();
    static final long LONG_SLEEP = TimeUnit.MINUTES.toNanos(5);

    Arena arena;
    MemorySegment word;

    abstract Waiter waiter();

    /** Wakes up to {@code count} sleepers and says how many were asleep. */
    abstract int wakeCount(MemorySegment word, int count);

    @BeforeEach
    void allocateWord() {
        arena = Arena.ofShared();
        word = arena.allocate(64, 64).asSlice(4, 4);
        word.set(JAVA_INT, 0, 0);
    }

    @AfterEach
    void freeWord() {
        arena.close();
    }

    @Test
    @Timeout(30)
    void returnsAtOnceWhenTheWordAlreadyDiffers() {
        word.set(JAVA_INT, 0, 7);

        waiter().await(word, 0, LONG_SLEEP);

        assertThat(word.get(JAVA_INT, 0)).isEqualTo(7);
    }

    @Test
    @Timeout(60)
    void wakesAThreadSleepingOnTheWord() throws InterruptedException {
        AtomicInteger returns = new AtomicInteger();
        Thread sleeper = Thread.ofPlatform().name("sleeper").start(() -> {
            while (word.get(JAVA_INT, 0) == 0) {
                waiter().await(word, 0, LONG_SLEEP);
                returns.incrementAndGet();
            }
        });

        // The word stays 0, so a wake that finds nobody asleep yet changes nothing: retry until one
        // reaches the sleeper, which then returns once and goes back to sleep.
        while (wakeCount(word, 1) == 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        while (returns.get() == 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        word.set(JAVA_INT, 0, 1);
        waiter().wake(word, Integer.MAX_VALUE);
        sleeper.join();

        assertThat(returns.get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Timeout(60)
    void wakesEverySleeperWhenAskedForAll() throws InterruptedException {
        List<Thread> sleepers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sleepers.add(Thread.ofPlatform().name("sleeper-" + i).start(() -> {
                while (word.get(JAVA_INT, 0) == 0) {
                    waiter().await(word, 0, LONG_SLEEP);
                }
            }));
        }

        word.set(JAVA_INT, 0, 1);
        waiter().wake(word, Integer.MAX_VALUE);
        for (Thread sleeper : sleepers) {
            sleeper.join();
        }

        assertThat(sleepers).noneMatch(Thread::isAlive);
    }

    @Test
    @Timeout(30)
    void returnsWhenTheTimeoutPasses() {
        long start = System.nanoTime();

        waiter().await(word, 0, TimeUnit.MILLISECONDS.toNanos(20));

        assertThat(System.nanoTime() - start).isPositive();
        assertThat(word.get(JAVA_INT, 0)).isZero();
    }

    @Test
    @Timeout(30)
    void returnsAtOnceForANonPositiveTimeout() {
        waiter().await(word, 0, 0);
        waiter().await(word, 0, -1);
    }

    @Test
    @Timeout(30)
    void wakeWithNoSleeperIsHarmless() {
        assertThat(wakeCount(word, 1)).isZero();
        assertThat(wakeCount(word, Integer.MAX_VALUE)).isZero();

        word.set(JAVA_INT, 0, 1);
        waiter().await(word, 0, LONG_SLEEP);
    }

    @Test
    void rejectsAWordShorterThanFourBytes() {
        MemorySegment tooShort = word.asSlice(0, 2);

        assertThatThrownBy(() -> waiter().await(tooShort, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("byteSize=2");
        assertThatThrownBy(() -> waiter().wake(tooShort, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Timeout(120)
    void passesTheTurnBackAndForthWithoutLosingAWakeUp() throws InterruptedException {
        int rounds = 2_000;
        Thread odd = Thread.ofPlatform().name("odd").start(() -> takeTurns(1, rounds));

        takeTurns(0, rounds);
        odd.join();

        assertThat(word.get(JAVA_INT, 0)).isEqualTo(2 * rounds);
    }

    /** Waits for each turn {@code parity, parity + 2, ...} (sleeping long), then passes it on. */
    private void takeTurns(int parity, int rounds) {
        for (int turn = parity; turn < 2 * rounds; turn += 2) {
            int seen;
            while ((seen = (int) INT.getVolatile(word, 0L)) != turn) {
                waiter().await(word, seen, LONG_SLEEP);
            }
            INT.setVolatile(word, 0L, turn + 1);
            waiter().wake(word, 1);
        }
    }
}
