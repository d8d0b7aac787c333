package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MpscRingStressTest {
    private static final int PRODUCERS = 4;
    private static final int RECORDS = 100_000;

    /** Body: producer (int), sequence (int), then {@code sequence % 41} bytes of a pattern. */
    private static int bodyLength(int sequence) {
        return 8 + sequence % 41;
    }

    private static byte pattern(int producer, int sequence, int i) {
        return (byte) (producer * 17 + sequence + i);
    }

    /** Set when the consumer gives up, so producers spinning on a full ring end instead of hanging the build. */
    private final AtomicBoolean stop = new AtomicBoolean();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyRecordOfFourProducersArrivesExactlyOnceAndInPerProducerOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
        try (Arena arena = Arena.ofShared()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            List<Future<?>> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                producers.add(pool.submit(() -> produce(ring, producer)));
            }
            int[] next = new int[PRODUCERS];
            long[] total = {0};
            RecordHandler verify = (type, region, offset, length) -> {
                int producer = region.get(ValueLayout.JAVA_INT, offset);
                int sequence = region.get(ValueLayout.JAVA_INT, offset + 4);
                assertThat(type).isEqualTo(1 + producer);
                assertThat(sequence).as("producer %d order", producer).isEqualTo(next[producer]);
                assertThat(length).isEqualTo(bodyLength(sequence));
                for (int i = 8; i < length; i++) {
                    if (region.get(ValueLayout.JAVA_BYTE, offset + i) != pattern(producer, sequence, i)) {
                        throw new AssertionError("producer " + producer + " record " + sequence + " byte " + i);
                    }
                }
                next[producer]++;
                total[0]++;
            };
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(170);
            while (total[0] < (long) PRODUCERS * RECORDS) {
                if (ring.read(verify, 256) == 0) {
                    failFast(producers);
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("stalled at " + total[0]);
                    }
                    Thread.yield();
                }
            }
            for (Future<?> f : producers) {
                f.get();
            }
            assertThat(next).containsOnly(RECORDS);
            assertThat(ring.headPosition()).isEqualTo(ring.tailPosition());
            assertThat(ring.hasCommittedRecord()).isFalse();
        } finally {
            stop.set(true);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("producers ended").isTrue();
        }
    }

    private static void failFast(List<Future<?>> producers) throws InterruptedException, ExecutionException {
        for (Future<?> f : producers) {
            if (f.isDone()) {
                f.get(); // rethrows a producer failure
            }
        }
    }

    private void produce(MpscRing ring, int producer) {
        MemorySegment region = ring.region();
        for (int sequence = 0; sequence < RECORDS; sequence++) {
            int length = bodyLength(sequence);
            long record;
            while ((record = ring.tryClaim(1 + producer, length)) == MpscRing.INSUFFICIENT_CAPACITY) {
                if (stop.get()) {
                    return;
                }
                Thread.yield();
            }
            long body = record + RecordDescriptor.BODY_OFFSET;
            region.set(ValueLayout.JAVA_INT, body, producer);
            region.set(ValueLayout.JAVA_INT, body + 4, sequence);
            for (int i = 8; i < length; i++) {
                region.set(ValueLayout.JAVA_BYTE, body + i, pattern(producer, sequence, i));
            }
            ring.commit(record);
            if (sequence % 97 == 0) {
                // Exercise abandon under contention: an abandoned claim must vanish without a trace.
                // (Never wait for a claim while holding another: the consumer could be stuck
                // behind the uncommitted one while the ring is full.)
                long extra;
                while ((extra = ring.tryClaim(1 + producer, 5)) == MpscRing.INSUFFICIENT_CAPACITY) {
                    if (stop.get()) {
                        return;
                    }
                    Thread.yield();
                }
                ring.abandon(extra);
            }
        }
    }
}
