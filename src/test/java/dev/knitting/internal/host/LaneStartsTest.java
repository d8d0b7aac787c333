package dev.knitting.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LaneStartsTest {
    @Test
    @Timeout(120)
    void shouldStartEveryLaneAtOnceWhenParallel() {
        CyclicBarrier allStarting = new CyclicBarrier(4); // breaks unless all four starts run at the same time

        List<String> lanes = LaneStarts.startAll(4, i -> {
            try {
                allStarting.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("lane " + i + " did not meet the other starts", e);
            }
            return "lane-" + i;
        }, lane -> { }, true, "test-start");

        assertThat(lanes).containsExactly("lane-0", "lane-1", "lane-2", "lane-3");
    }

    @Test
    @Timeout(120)
    void shouldThrowTheLowestFailingLanesErrorAndStopTheLanesThatStarted() {
        Set<String> stopped = ConcurrentHashMap.newKeySet();

        Throwable failure = catchThrowable(() -> LaneStarts.startAll(4, i -> {
            if (i == 1 || i == 3) {
                throw new IllegalStateException("worker " + i + " failed to start");
            }
            return "lane-" + i;
        }, stopped::add, true, "test-start"));

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("worker 1 failed to start");
        assertThat(failure.getSuppressed()).extracting(Throwable::getMessage)
                .containsExactly("worker 3 failed to start");
        assertThat(stopped).containsExactlyInAnyOrder("lane-0", "lane-2");
    }

    @Test
    @Timeout(120)
    void shouldStartLanesInOrderAndNoFurtherThanTheFirstFailureWhenNotParallel() {
        Set<Integer> tried = ConcurrentHashMap.newKeySet();
        Set<String> stopped = ConcurrentHashMap.newKeySet();
        Thread caller = Thread.currentThread();

        Throwable failure = catchThrowable(() -> LaneStarts.startAll(4, i -> {
            assertThat(Thread.currentThread()).isSameAs(caller);
            tried.add(i);
            if (i == 2) {
                throw new OutOfMemoryError("lane 2");
            }
            return "lane-" + i;
        }, stopped::add, false, "test-start"));

        assertThat(failure).isInstanceOf(OutOfMemoryError.class).hasMessage("lane 2");
        assertThat(tried).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(stopped).containsExactlyInAnyOrder("lane-0", "lane-1");
    }
}
