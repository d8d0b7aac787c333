package dev.knitting.internal.codec;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The bulk bodies an {@link EncodeBuffer} left in the caller's objects, in payload order: body
 * {@code i} belongs right after the buffer's first {@code at(i)} bytes (and the bodies before it).
 * It holds references to the caller's arrays only until the payload was sent or the next encode.
 * Not thread-safe.
 */
final class Deferred {
    private int[] at = new int[4];
    private MemorySegment[] bodies = new MemorySegment[4];
    private int count;
    private long bytes;

    void add(int bufferPosition, MemorySegment body) {
        if (count == at.length) {
            at = Arrays.copyOf(at, count * 2);
            bodies = Arrays.copyOf(bodies, count * 2);
        }
        at[count] = bufferPosition;
        bodies[count] = body;
        count++;
        bytes += body.byteSize();
    }

    void clear() {
        if (count > 0) {
            Arrays.fill(bodies, 0, count, null);
            count = 0;
        }
        bytes = 0;
    }

    /** @return how many bodies */
    int count() {
        return count;
    }

    /** @return the bytes of all bodies */
    long bytes() {
        return bytes;
    }

    /** @return the buffer position body {@code i} follows */
    int at(int i) {
        return at[i];
    }

    MemorySegment body(int i) {
        return bodies[i];
    }
}
