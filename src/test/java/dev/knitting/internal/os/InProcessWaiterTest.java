package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InProcessWaiterTest extends WaiterContractTest {
    private final InProcessWaiter waiter = new InProcessWaiter();

    @Override
    Waiter waiter() {
        return waiter;
    }

    @Override
    int wakeCount(MemorySegment word, int count) {
        return waiter.wakeCount(word, count);
    }

    @Test
    void staysInsideThisProcess() {
        assertThat(waiter.crossProcess()).isFalse();
    }

    @Test
    void rejectsAHeapSegment() {
        MemorySegment heap = MemorySegment.ofArray(new int[1]);

        assertThatThrownBy(() -> waiter.await(heap, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("native");
    }

    @Test
    @Timeout(60)
    void returnsWhenTheSleepingThreadIsInterrupted() throws InterruptedException {
        CountDownLatch returned = new CountDownLatch(1);
        Thread sleeper = Thread.ofPlatform().start(() -> {
            waiter.await(word, 0, LONG_SLEEP);
            returned.countDown();
        });

        sleeper.interrupt();
        returned.await();
        sleeper.join();

        assertThat(waiter.wakeCount(word, 1)).isZero();
    }

    @Test
    @Timeout(60)
    void wakesOnlyTheSleepersOfThatWord() throws InterruptedException {
        MemorySegment otherWord = arena.allocate(4, 4);
        Thread otherSleeper = Thread.ofPlatform().start(() -> {
            while (otherWord.get(JAVA_INT, 0) == 0) {
                waiter.await(otherWord, 0, LONG_SLEEP);
            }
        });
        while (otherSleeper.getState() != Thread.State.TIMED_WAITING) { // parked: queued on otherWord
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }

        assertThat(waiter.wakeCount(word, Integer.MAX_VALUE)).isZero();

        otherWord.set(JAVA_INT, 0, 1);
        assertThat(waiter.wakeCount(otherWord, 1)).isEqualTo(1);
        otherSleeper.join();
    }
}
