package dev.knitting.internal.codec;

import dev.knitting.ProtocolException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.knitting.internal.codec.LittleEndian.CHAR_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.INT_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.LONG_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.SHORT_LAYOUT;

/**
 * The decoder's read position in one payload: bounds-checked little-endian reads.
 *
 * <p>Why separate: {@link PayloadDecoder} decides what a tag means; this class makes every read
 * prove first that its bytes are there ({@link #need}) and every count prove that its elements
 * fit in what remains ({@link #count}), so nothing is allocated on a hostile length. Scratch
 * arrays for strings are reused up to {@value #MAX_SCRATCH} elements. Not thread-safe.
 */
final class DecodeCursor {
    private static final int MAX_SCRATCH = 1 << 16;
    /** Smallest byte array read with {@link Arrays#copyOfRange} from a heap payload. */
    private static final int HEAP_COPY_MIN = 4096;

    MemorySegment in;
    long pos;
    long end;
    private byte[] bytes = new byte[256];
    private char[] chars = new char[256];

    void reset(MemorySegment payload) {
        in = payload;
        pos = 0;
        end = payload.byteSize();
    }

    /** @return whether {@code size} bytes from {@code start} equal {@code key} */
    boolean matches(long start, long size, MemorySegment key) {
        return MemorySegment.mismatch(in, start, start + size, key, 0, size) < 0;
    }

    byte[] copyOut(long start, int size) {
        byte[] out = new byte[size];
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, start, out, 0, size);
        return out;
    }

    // ---------------------------------------------------------------- strings

    String latin1(int n) {
        byte[] b = bytes;
        if (n > b.length) {
            b = new byte[n];
            if (n <= MAX_SCRATCH) {
                bytes = b;
            }
        }
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, pos, b, 0, n);
        pos += n;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    String utf16(int n) {
        char[] c = chars;
        if (n > c.length) {
            c = new char[n];
            if (n <= MAX_SCRATCH) {
                chars = c;
            }
        }
        MemorySegment.copy(in, CHAR_LAYOUT, pos, c, 0, n);
        pos += 2L * n;
        return new String(c, 0, n);
    }

    /** Reads a value that must be a string. */
    String string() {
        return string(u8tag());
    }

    /** Reads a value that may be a string or NULL; the tag byte is read once (the peer may change it). */
    String nullableString() {
        byte tag = u8tag();
        return tag == Tags.NULL ? null : string(tag);
    }

    private String string(byte tag) {
        return switch (tag) {
            case Tags.STRING_LATIN1 -> latin1(count(1, tag));
            case Tags.STRING_UTF16 -> utf16(count(2, tag));
            default -> throw new ProtocolException("expected a string at offset " + (pos - 1) + " but found tag "
                    + Tags.name(tag));
        };
    }

    /**
     * Reads {@code n} bytes into a new array. From a heap payload (a reassembled message) of at
     * least {@value #HEAP_COPY_MIN} bytes this is {@code Arrays.copyOfRange}, which the JIT fills
     * without zeroing the new array first: one pass over the bytes instead of two.
     */
    byte[] byteArray(int n) {
        if (n >= HEAP_COPY_MIN && !in.isNative() && in.heapBase().orElse(null) instanceof byte[] array) {
            int from = Math.toIntExact(in.address() + pos);
            pos += n;
            return Arrays.copyOfRange(array, from, from + n);
        }
        return copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
    }

    <A> A copyIn(A array, int n, ValueLayout element) {
        MemorySegment.copy(in, element, pos, array, 0, n);
        pos += n * element.byteSize();
        return array;
    }

    boolean[] booleans() {
        int n = count(1, Tags.BOOLEAN_ARRAY);
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
            byte b = in.get(ValueLayout.JAVA_BYTE, pos + i);
            if ((b & ~1) != 0) {
                throw new ProtocolException("BOOLEAN_ARRAY element " + b + " at offset " + (pos + i) + " is not 0 or 1");
            }
            a[i] = b != 0;
        }
        pos += n;
        return a;
    }

    // ---------------------------------------------------------------- raw reads

    void need(long n) {
        if (n > end - pos) {
            throw new ProtocolException("payload truncated: " + n + " bytes needed at offset " + pos + " but only "
                    + (end - pos) + " remain (payload length " + end + ")");
        }
    }

    byte u8tag() {
        need(1);
        return in.get(ValueLayout.JAVA_BYTE, pos++);
    }

    int u8() {
        return u8tag() & 0xFF;
    }

    short i16() {
        need(2);
        short v = in.get(SHORT_LAYOUT, pos);
        pos += 2;
        return v;
    }

    int i32() {
        need(4);
        int v = in.get(INT_LAYOUT, pos);
        pos += 4;
        return v;
    }

    long i64() {
        need(8);
        long v = in.get(LONG_LAYOUT, pos);
        pos += 8;
        return v;
    }

    /**
     * Reads a u32 count of elements of at least {@code minBytes} each and checks that they fit in
     * the bytes that remain, before the caller allocates anything.
     */
    int count(int minBytes, byte tag) {
        long at = pos;
        long n = Integer.toUnsignedLong(i32());
        long remaining = end - pos;
        if (n * minBytes > remaining || n > Integer.MAX_VALUE - 8) {
            throw new ProtocolException(Tags.name(tag) + " at offset " + at + " claims " + n + " elements of at least "
                    + minBytes + " bytes but only " + remaining + " bytes remain");
        }
        return (int) n;
    }
}
