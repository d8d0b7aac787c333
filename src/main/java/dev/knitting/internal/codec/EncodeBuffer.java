package dev.knitting.internal.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.knitting.internal.codec.LittleEndian.CHAR_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.INT_LE;
import static dev.knitting.internal.codec.LittleEndian.LONG_LE;
import static dev.knitting.internal.codec.LittleEndian.SHORT_LE;

/**
 * The encoder's growable byte buffer: little-endian writes of tags, numbers, strings and arrays.
 *
 * <p>Why separate: {@link PayloadEncoder} walks values; this class owns the bytes and the size
 * limit. Every write asks {@link #room} first, one comparison on the hot path. Once the running
 * size passes {@code maxBytes} the buffer stops writing and only counts ({@link #size()} keeps
 * growing, {@code pos} is frozen), so an oversized payload is measured without being buffered.
 * A buffer grown past {@value #SHRINK_ABOVE} bytes is dropped at the next {@link #reset}.
 * Not thread-safe.
 *
 * <p>Heap bulk bodies (arrays, heap buffers and heap segments) of at least {@value #DEFER_BYTES}
 * bytes are not copied here: the buffer notes where they go ({@link Deferred}) and
 * {@link EncodedPayload} copies them once, straight from the caller's object into their
 * destination (the ring). The payload is then the buffer's bytes with the deferred bodies spliced
 * in at their positions; {@link #size()} counts both. Only heap memory is deferred because copying
 * it cannot fail: a send that failed after its first fragments were in the ring would leave half
 * a message. Native memory (a direct buffer, a segment of an arena another thread may close or
 * that this thread may not access) is copied here, where a failure still fails only the encode.
 */
final class EncodeBuffer {
    /**
     * Buffers up to the default payload limit (8 MiB) plus header room are kept between encodes, so
     * a stream of large payloads does not allocate and zero a fresh buffer per call; larger ones
     * are dropped at the next reset so one huge payload does not pin its memory to the thread.
     */
    static final int SHRINK_ABOVE = (8 << 20) + (64 << 10);
    static final int MAX_BUFFER = Integer.MAX_VALUE - 16;
    /** Smallest body left in the caller's object and copied once at send ({@link Deferred}). */
    static final int DEFER_BYTES = 8192;
    private static final int INITIAL_CAPACITY = 4096;
    private static final int CHUNK = 8192;
    /** Heap arrays hold native-order elements: deferring them is right only where that is the wire's little endian. */
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private byte[] buf = new byte[INITIAL_CAPACITY];
    private MemorySegment seg = MemorySegment.ofArray(buf);
    /** Write position; frozen once counting starts. */
    private int pos;
    /** Counts resets: a patch of an earlier payload must not land in a later one. */
    private int epoch;
    /** Writes fit while {@code pos + n <= limit}; -1 while counting. */
    private long limit;
    private long maxBytes;
    private boolean counting;
    /** Bytes counted but not written, once counting. */
    private long overflow;
    /** Bulk bodies left in place, in payload order. */
    private final Deferred deferred = new Deferred();

    private final char[] chars = new char[CHUNK];
    private final byte[] scratch = new byte[CHUNK];
    private final CharBuffer charView = CharBuffer.wrap(chars);
    private final ByteBuffer scratchView = ByteBuffer.wrap(scratch);
    private ByteBuffer bufView;
    private final CharsetEncoder latin1 = StandardCharsets.ISO_8859_1.newEncoder();

    /** Starts a new payload of at most {@code maxBytes} bytes. */
    void reset(long maxBytes) {
        epoch++;
        if (buf.length > SHRINK_ABOVE) {
            buf = new byte[INITIAL_CAPACITY];
            seg = MemorySegment.ofArray(buf);
        }
        pos = 0;
        counting = false;
        overflow = 0;
        deferred.clear();
        this.maxBytes = maxBytes;
        limit = Math.min(buf.length, maxBytes);
    }

    /** Drops the references to deferred bodies (the caller's arrays) once the payload was sent. */
    void forgetDeferred() {
        deferred.clear();
    }

    /** @return whether the payload outgrew the limit (or the largest buffer) and is only being counted */
    boolean counting() {
        return counting;
    }

    /** @return the payload bytes so far (written, deferred, or counted once {@link #counting()}) */
    long size() {
        return pos + overflow + deferred.bytes();
    }

    /** @return the bytes written into the buffer itself (deferred bodies not included) */
    int position() {
        return pos;
    }

    /** @return the bodies left in the caller's objects, spliced into the payload at their buffer positions */
    Deferred deferred() {
        return deferred;
    }

    /** @return the whole buffer as a segment; bytes {@code [0, size())} are the payload unless counting */
    MemorySegment segment() {
        return seg;
    }

    int capacity() {
        return buf.length;
    }

    // ---------------------------------------------------------------- strings

    void writeString(String s) {
        int n = s.length();
        if (n > CHUNK) {
            writeLongString(s, n);
            return;
        }
        char[] cs = chars;
        s.getChars(0, n, cs, 0);
        if (pos + 5L + n <= limit) {
            // Fast path: narrow straight into the buffer; the intrinsic stops at the first char >= 256.
            if (toLatin1(cs, n, buf, pos + 5) == n) {
                buf[pos] = Tags.STRING_LATIN1;
                INT_LE.set(buf, pos + 1, n);
                pos += 5 + n;
            } else {
                writeUtf16(cs, n);
            }
        } else if (toLatin1(cs, n, scratch, 0) == n) {
            if (room(5L + n)) {
                buf[pos] = Tags.STRING_LATIN1;
                INT_LE.set(buf, pos + 1, n);
                System.arraycopy(scratch, 0, buf, pos + 5, n);
                pos += 5 + n;
            }
        } else {
            writeUtf16(cs, n);
        }
    }

    private void writeUtf16(char[] cs, int n) {
        if (room(5L + 2L * n)) {
            buf[pos] = Tags.STRING_UTF16;
            INT_LE.set(buf, pos + 1, n);
            MemorySegment.copy(cs, 0, seg, CHAR_LAYOUT, pos + 5, n);
            pos += 5 + 2 * n;
        }
    }

    /**
     * Narrows {@code cs[0, n)} into {@code dst} from {@code offset} while every char is below 256.
     * The JDK's ISO-8859-1 array loop is an intrinsic (vectorised), unlike a hand-written loop.
     *
     * @return how many chars were narrowed: {@code n} exactly when all of them are Latin-1
     */
    private int toLatin1(char[] cs, int n, byte[] dst, int offset) {
        CharBuffer in = charView;
        in.clear().limit(n);
        ByteBuffer out = dst == buf ? bufView : scratchView;
        if (out == null || out.array() != dst) {
            out = ByteBuffer.wrap(dst);
            if (dst == buf) {
                bufView = out;
            }
        }
        out.limit(dst.length).position(offset);
        latin1.reset();
        latin1.encode(in, out, true);
        return in.position();
    }

    /** Strings longer than one chunk: scan in chunks first, then copy in chunks (never buffered whole). */
    private void writeLongString(String s, int n) {
        char[] cs = chars;
        boolean latin1 = true;
        for (int from = 0; from < n && latin1; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            s.getChars(from, to, cs, 0);
            latin1 = toLatin1(cs, to - from, scratch, 0) == to - from;
        }
        long size = latin1 ? n : 2L * n;
        if (!room(5 + size)) {
            return;
        }
        buf[pos] = latin1 ? Tags.STRING_LATIN1 : Tags.STRING_UTF16;
        INT_LE.set(buf, pos + 1, n);
        pos += 5;
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            int k = to - from;
            s.getChars(from, to, cs, 0);
            if (latin1) {
                toLatin1(cs, k, buf, pos);
                pos += k;
            } else {
                MemorySegment.copy(cs, 0, seg, CHAR_LAYOUT, pos, k);
                pos += 2 * k;
            }
        }
    }

    void writeNullableString(String s) {
        if (s == null) {
            tag(Tags.NULL);
        } else {
            writeString(s);
        }
    }

    // ---------------------------------------------------------------- arrays and buffers

    void writeBytes(byte tag, byte[] b) {
        if (b.length >= DEFER_BYTES) {
            writeHeaderAndDefer(tag, b.length, MemorySegment.ofArray(b));
        } else if (room(5L + b.length)) {
            buf[pos] = tag;
            INT_LE.set(buf, pos + 1, b.length);
            System.arraycopy(b, 0, buf, pos + 5, b.length);
            pos += 5 + b.length;
        }
    }

    /** Writes {@code tag}, the length and the bytes of {@code s} (counted only, when too large). */
    void writeSegment(byte tag, MemorySegment s) {
        long n = s.byteSize();
        if (n >= DEFER_BYTES && n <= Integer.MAX_VALUE && !s.isNative()) {
            writeHeaderAndDefer(tag, (int) n, s);
        } else if (room(5L + n)) {
            buf[pos] = tag;
            INT_LE.set(buf, pos + 1, (int) n);
            MemorySegment.copy(s, 0, seg, pos + 5, n);
            pos += 5 + (int) n;
        }
    }

    void writeBooleans(boolean[] a) {
        if (room(5L + a.length)) {
            byte[] b = buf;
            int p = pos;
            b[p] = Tags.BOOLEAN_ARRAY;
            INT_LE.set(b, p + 1, a.length);
            p += 5;
            for (int i = 0; i < a.length; i++) {
                b[p + i] = a[i] ? (byte) 1 : (byte) 0;
            }
            pos = p + a.length;
        }
    }

    void writeArray(byte tag, Object array, int n, ValueLayout element) {
        long bytes = n * element.byteSize();
        if (bytes >= DEFER_BYTES && NATIVE_LITTLE_ENDIAN) {
            writeHeaderAndDefer(tag, n, heapSegment(array));
        } else if (room(5 + bytes)) {
            buf[pos] = tag;
            INT_LE.set(buf, pos + 1, n);
            MemorySegment.copy(array, 0, seg, element, pos + 5, n);
            pos += 5 + (int) bytes;
        }
    }

    void writeByteBuffer(ByteBuffer bb) {
        int n = bb.remaining();
        if (n >= DEFER_BYTES && !bb.isDirect()) {
            if (room(2)) {
                buf[pos] = Tags.BYTE_BUFFER;
                buf[pos + 1] = bb.order() == ByteOrder.LITTLE_ENDIAN ? Tags.ORDER_LITTLE_ENDIAN : Tags.ORDER_BIG_ENDIAN;
                pos += 2;
            }
            raw32(n);
            defer(MemorySegment.ofBuffer(bb));
        } else if (room(6L + n)) {
            buf[pos] = Tags.BYTE_BUFFER;
            buf[pos + 1] = bb.order() == ByteOrder.LITTLE_ENDIAN ? Tags.ORDER_LITTLE_ENDIAN : Tags.ORDER_BIG_ENDIAN;
            INT_LE.set(buf, pos + 2, n);
            MemorySegment.copy(MemorySegment.ofBuffer(bb), 0, seg, pos + 6, n);
            pos += 6 + n;
        }
    }

    /** Writes {@code tag} and the count {@code n}, then leaves {@code body} in place to be copied at send. */
    private void writeHeaderAndDefer(byte tag, int n, MemorySegment body) {
        writeInt(tag, n);
        defer(body);
    }

    /**
     * Counts {@code body} into the payload without copying it (or only counts it, past the limit).
     * The segment is taken now: a buffer's position and limit, an array's length, are fixed here.
     */
    private void defer(MemorySegment body) {
        long n = body.byteSize();
        if (counting) {
            overflow += n;
            return;
        }
        long total = pos + deferred.bytes() + n;
        if (total > maxBytes || total > MAX_BUFFER) {
            counting = true;
            limit = -1;
            overflow = n;
            return;
        }
        deferred.add(pos, body);
        limit = Math.min(buf.length, maxBytes - deferred.bytes());
    }

    private static MemorySegment heapSegment(Object array) {
        return switch (array) {
            case short[] a -> MemorySegment.ofArray(a);
            case char[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            default -> throw new IllegalArgumentException("not a primitive array: " + array.getClass().getName());
        };
    }

    // ---------------------------------------------------------------- raw writes

    /** @return whether {@code n} more bytes can be written at {@link #pos}; when not, they are counted */
    boolean room(long n) {
        return pos + n <= limit || grow(n);
    }

    private boolean grow(long n) {
        if (counting) {
            overflow += n;
            return false;
        }
        long need = pos + n;
        long room = maxBytes - deferred.bytes();
        if (need > room || need + deferred.bytes() > MAX_BUFFER) {
            counting = true;
            limit = -1;
            overflow = n;
            return false;
        }
        long capacity = Math.min(Math.max(need, 2L * buf.length), Math.min(MAX_BUFFER, Math.max(room, need)));
        buf = Arrays.copyOf(buf, (int) capacity);
        seg = MemorySegment.ofArray(buf);
        limit = Math.min(capacity, room);
        return true;
    }

    void tag(byte tag) {
        if (room(1)) {
            buf[pos++] = tag;
        }
    }

    void raw8(int v) {
        if (room(1)) {
            buf[pos++] = (byte) v;
        }
    }

    void raw16(int v) {
        if (room(2)) {
            SHORT_LE.set(buf, pos, (short) v);
            pos += 2;
        }
    }

    void raw32(int v) {
        if (room(4)) {
            INT_LE.set(buf, pos, v);
            pos += 4;
        }
    }

    void raw64(long v) {
        if (room(8)) {
            LONG_LE.set(buf, pos, v);
            pos += 8;
        }
    }

    /** @return what identifies the payload being written now, for {@link #patch64} */
    int epoch() {
        return epoch;
    }

    /**
     * Overwrites 8 bytes written before at {@code at} (a field a sender fills in just before
     * publishing), if the buffer still holds the payload of {@code payloadEpoch}.
     *
     * @return whether the bytes were written (false: the buffer moved on to another payload)
     */
    boolean patch64(int payloadEpoch, int at, long v) {
        if (payloadEpoch != epoch || counting || at < 0 || at > pos - 8) {
            return false;
        }
        LONG_LE.set(buf, at, v);
        return true;
    }

    void raw(byte[] b) {
        if (room(b.length)) {
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }
    }

    void writeCount(int n) {
        raw32(n);
    }

    void writeShort(byte tag, short v) {
        if (room(3)) {
            buf[pos] = tag;
            SHORT_LE.set(buf, pos + 1, v);
            pos += 3;
        }
    }

    void writeInt(byte tag, int v) {
        if (room(5)) {
            buf[pos] = tag;
            INT_LE.set(buf, pos + 1, v);
            pos += 5;
        }
    }

    void writeLong(byte tag, long v) {
        if (room(9)) {
            buf[pos] = tag;
            LONG_LE.set(buf, pos + 1, v);
            pos += 9;
        }
    }

    void writeByte(byte tag, byte v) {
        if (room(2)) {
            buf[pos] = tag;
            buf[pos + 1] = v;
            pos += 2;
        }
    }
}
