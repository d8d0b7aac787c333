package dev.knitting.internal.lane;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers shared by the lane tests. */
final class LaneTesting {
    static final long AWAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private LaneTesting() {
    }

    /** A formatted ring in {@code arena}. */
    static MpscRing ring(Arena arena, int capacity) {
        MemorySegment region = arena.allocate(RingDescriptor.regionBytes(capacity), RingDescriptor.REGION_ALIGNMENT);
        MpscRing.format(region, capacity);
        return MpscRing.attach(region, dev.knitting.internal.os.Waiter.platform());
    }

    /** Spins politely (yield) until {@code condition} holds; fails after a generous timeout. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + AWAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    /** Writes, commits and returns one record with the given body bytes. */
    static long write(MpscRing ring, int type, byte[] body) {
        long record = ring.tryClaim(type, body.length);
        if (record == MpscRing.INSUFFICIENT_CAPACITY) {
            throw new AssertionError("ring full");
        }
        MemorySegment.copy(body, 0, ring.region(), ValueLayout.JAVA_BYTE, record + RecordDescriptor.BODY_OFFSET,
                body.length);
        ring.commit(record);
        return record;
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }
}
