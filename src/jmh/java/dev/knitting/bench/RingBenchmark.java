package dev.knitting.bench;

import dev.knitting.internal.lane.Doorbell;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.lane.RecordDescriptor;
import dev.knitting.internal.lane.RecordHandler;
import dev.knitting.internal.lane.RingDescriptor;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ring micro-costs on one thread (no wake-ups): claim, write, publish, read and release one record,
 * against the copy floor of the same bytes and against {@code ArrayBlockingQueue.offer/poll}; and
 * what ringing a doorbell costs when nobody sleeps (a fence and a load) against the bare futex wake
 * system call it avoids.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RingBenchmark {
    @Param({"8", "1024"})
    int bodyBytes;

    private Arena arena;
    private MpscRing ring;
    private MemorySegment source;
    private MemorySegment target;
    private Doorbell doorbell;
    private MemorySegment futexWord;
    private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(1024);
    private byte[] message;
    private long sum;
    private final RecordHandler handler = (type, region, offset, length) -> sum += region.get(ValueLayout.JAVA_BYTE,
            offset);

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        MemorySegment region = arena.allocate(RingDescriptor.regionBytes(1 << 16), 128);
        MpscRing.format(region, 1 << 16);
        ring = MpscRing.attach(region, Waiter.platform());
        source = arena.allocate(bodyBytes, 8);
        target = arena.allocate(bodyBytes, 8);
        doorbell = new Doorbell(arena.allocate(128, 128), 0, Waiter.platform());
        futexWord = arena.allocate(128, 128);
        message = new byte[bodyBytes];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** Claim, copy the body in, publish; then read it back and release the space. */
    @Benchmark
    public long ring_write_read() {
        long record = ring.tryClaim(1, bodyBytes);
        MemorySegment.copy(source, 0, ring.region(), record + RecordDescriptor.BODY_OFFSET, bodyBytes);
        ring.commit(record);
        ring.read(handler, 1);
        return sum;
    }

    /** Baseline: the two copies a ring round trip makes, and nothing else. */
    @Benchmark
    public MemorySegment copy_floor() {
        MemorySegment.copy(source, 0, target, 0, bodyBytes);
        MemorySegment.copy(target, 0, source, 0, bodyBytes);
        return target;
    }

    /** Baseline: the JDK's bounded queue, handing over a reference. */
    @Benchmark
    public byte[] array_blocking_queue_offer_poll() {
        queue.offer(message);
        return queue.poll();
    }

    /** Ringing with nobody asleep: a full fence and one load, no system call. */
    @Benchmark
    public boolean doorbell_ring_no_waiter() {
        return doorbell.ring();
    }

    /** Baseline: the futex wake system call the waiter count saves when nobody sleeps. */
    @Benchmark
    public MemorySegment futex_wake_no_waiter() {
        Waiter.platform().wake(futexWord, 1);
        return futexWord;
    }
}
