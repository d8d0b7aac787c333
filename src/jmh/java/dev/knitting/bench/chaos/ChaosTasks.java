package dev.knitting.bench.chaos;

import dev.knitting.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The tasks of {@code scripts/chaos}: plain ones for load, and hostile ones that run in a process
 * worker against its own host. Exported as public static final fields, as pools require.
 */
public final class ChaosTasks {
    /** Tiny call. */
    public static final Task<Integer, Integer> INC = Task.of(v -> v + 1);
    /** The worker's pid. */
    public static final Task<Integer, Long> PID = Task.of(ignored -> ProcessHandle.current().pid());
    /** Sleeps the given milliseconds (a call that is surely in the middle of running), returns them. */
    public static final Task<Integer, Integer> SLEEP = Task.of(ChaosTasks::sleep);
    /** Payload echo: the bytes cross the lane both ways. */
    public static final Task<byte[], byte[]> ECHO = Task.of(b -> b);
    /**
     * Starts a thread in the worker that maps the worker's own lane (fd 0, INHERIT mode: the memfd)
     * a second time and writes random bytes over all of it, in random runs at random offsets, for
     * the given milliseconds; returns at once with the lane's size.
     */
    public static final Task<Integer, Long> SCRIBBLE = Task.of(ChaosTasks::scribble);
    /** Returns {@code n} distinct strings that all have the same {@code hashCode} ("Aa"/"BB" blocks). */
    public static final Task<Integer, Set<String>> FLOOD_STRINGS = Task.of(ChaosTasks::collidingStrings);
    /** Returns {@code n} distinct records that all have the same {@code hashCode} and do not compare. */
    public static final Task<Integer, Set<Collider>> FLOOD_RECORDS = Task.of(ChaosTasks::collidingRecords);

    /** {@link #INC} failing with {@code TaskTimeoutException} after 200 ms. */
    public static final Task<Integer, Integer> INC_200MS = INC.timeout(Duration.ofMillis(200));
    /** {@link #SCRIBBLE} failing with {@code TaskTimeoutException} after 200 ms. */
    public static final Task<Integer, Long> SCRIBBLE_200MS = SCRIBBLE.timeout(Duration.ofMillis(200));
    /** {@link #FLOOD_STRINGS} failing with {@code TaskTimeoutException} after 1 s. */
    public static final Task<Integer, Set<String>> FLOOD_STRINGS_1S = FLOOD_STRINGS.timeout(Duration.ofSeconds(1));
    /** {@link #FLOOD_RECORDS} failing with {@code TaskTimeoutException} after 1 s. */
    public static final Task<Integer, Set<Collider>> FLOOD_RECORDS_1S = FLOOD_RECORDS.timeout(Duration.ofSeconds(1));

    /**
     * A record whose every instance has hash code 0 and which is not {@link Comparable}: a hash set
     * of them degrades to a list unless the decoder defends itself.
     *
     * @param id distinguishes instances
     */
    public record Collider(long id) {
        @Override
        public int hashCode() {
            return 0;
        }
    }

    private ChaosTasks() {
    }

    private static Integer sleep(Integer millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
        return millis;
    }

    private static Long scribble(Integer millis) {
        MappedByteBuffer lane;
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/0"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            lane = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map the lane at /proc/self/fd/0", e);
        }
        long end = System.nanoTime() + millis * 1_000_000L;
        Thread.ofPlatform().daemon().name("chaos-scribbler").start(() -> {
            SplittableRandom random = new SplittableRandom();
            int size = lane.capacity();
            while (System.nanoTime() - end < 0) {
                int at = random.nextInt(size);
                int run = Math.min(size - at, 1 + random.nextInt(256));
                for (int i = 0; i < run; i++) {
                    lane.put(at + i, (byte) random.nextInt());
                }
                if (random.nextInt(64) == 0) {
                    Thread.yield(); // let the worker loop run too, so it keeps answering garbage
                }
            }
        });
        return (long) lane.capacity();
    }

    private static Set<String> collidingStrings(Integer n) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            StringBuilder s = new StringBuilder(bits * 2);
            for (int b = 0; b < bits; b++) {
                s.append((i >>> b & 1) == 0 ? "Aa" : "BB");
            }
            out.add(s.toString());
        }
        return out;
    }

    private static Set<Collider> collidingRecords(Integer n) {
        List<Collider> distinct = new ArrayList<>(n);
        for (long i = 0; i < n; i++) {
            distinct.add(new Collider(i));
        }
        return new AbstractSet<>() { // distinct by construction: the worker pays no hashing, the host would
            @Override
            public Iterator<Collider> iterator() {
                return distinct.iterator();
            }

            @Override
            public int size() {
                return distinct.size();
            }
        };
    }
}
