package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.RemoteTaskException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.UUID;

/**
 * Turns a Java value into the bytes described by {@link Tags}.
 *
 * <p>Why this shape: the encoder writes into its own reusable heap buffer (little-endian, through
 * byte-array views), so the hot path is plain stores with one bounds test per value; the caller
 * copies {@link #encoded()} into shared memory. One instance per thread; not thread-safe.
 *
 * <p>Invariants: every {@link #encode} starts from a clean state, so a failed encode leaves the
 * encoder reusable. Once the running size passes {@code maxBytes} the encoder stops writing and
 * only counts ({@code overflow}), so an oversized payload is reported with its real size without
 * being buffered. A buffer grown past {@value #SHRINK_ABOVE} bytes is dropped at the next encode.
 */
public final class PayloadEncoder {
    private static final int INITIAL_CAPACITY = 4096;
    static final int SHRINK_ABOVE = 1 << 20;
    private static final int MAX_BUFFER = Integer.MAX_VALUE - 16;
    private static final int CHUNK = 8192;
    private static final int LINEAR_TYPES = 16;

    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT_LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfChar CHAR_LAYOUT = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LAYOUT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_LAYOUT = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble DOUBLE_LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TypePolicy policy;
    private byte[] buf = new byte[INITIAL_CAPACITY];
    private MemorySegment seg = MemorySegment.ofArray(buf);
    /** Write position; frozen once counting starts. */
    private int pos;
    /** Writes fit while {@code pos + n <= limit}; -1 while counting. */
    private long limit;
    private long maxBytes;
    private boolean counting;
    /** Bytes counted but not written, once counting. */
    private long overflow;
    private int length = -1;
    private MemorySegment encoded;
    private final char[] chars = new char[CHUNK];

    private final Object[] path = new Object[Tags.MAX_DEPTH];
    private int depth;
    private Class<?>[] types = new Class<?>[LINEAR_TYPES];
    private int typeCount;
    private IdentityHashMap<Class<?>, Integer> moreTypes;
    private IdentityHashMap<Throwable, Integer> throwables;
    private Class<?> lastRecordClass;
    private RecordCodec lastRecord;

    /** @param policy which records and enums may be encoded */
    public PayloadEncoder(TypePolicy policy) {
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
    }

    /**
     * Encodes {@code value} into this encoder's buffer.
     *
     * @param maxBytes the largest payload accepted, in bytes
     * @return the encoded length, also the size of {@link #encoded()}
     * @throws PayloadException when the value or something in it cannot travel, or the encoding is
     *     larger than {@code maxBytes} (the message then holds {@code limit=} and {@code actual=})
     */
    public int encode(Object value, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes=" + maxBytes);
        }
        if (buf.length > SHRINK_ABOVE) {
            buf = new byte[INITIAL_CAPACITY];
            seg = MemorySegment.ofArray(buf);
        }
        pos = 0;
        length = -1;
        encoded = null;
        counting = false;
        overflow = 0;
        depth = 0;
        typeCount = 0;
        this.maxBytes = maxBytes;
        limit = Math.min(buf.length, maxBytes);
        boolean done = false;
        try {
            writeValue(value);
            done = true;
        } catch (PayloadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PayloadException("cannot encode " + typeName(value) + ": " + e, e);
        } finally {
            if (!done) {
                Arrays.fill(path, null);
            }
            Arrays.fill(types, 0, Math.min(typeCount, LINEAR_TYPES), null);
            moreTypes = null;
            throwables = null;
        }
        if (counting) {
            long actual = pos + overflow;
            String why = actual <= maxBytes ? " (the encoder buffers at most " + MAX_BUFFER + " bytes)" : "";
            throw new PayloadException("payload " + typeName(value) + " is too large: limit=" + maxBytes
                    + " bytes, actual=" + actual + " bytes" + why);
        }
        length = pos;
        return pos;
    }

    /** @return bytes {@code [0, length)} of the last successful encode; valid until the next encode */
    public MemorySegment encoded() {
        if (length < 0) {
            throw new IllegalStateException("no successful encode since the last call to encode");
        }
        MemorySegment e = encoded;
        if (e == null) {
            e = seg.asSlice(0, length);
            encoded = e;
        }
        return e;
    }

    /** @return the current scratch buffer size (for tests of the shrink rule) */
    int capacity() {
        return buf.length;
    }

    // ---------------------------------------------------------------- values

    private void writeValue(Object v) {
        if (v == null) {
            tag(Tags.NULL);
        } else if (v instanceof Integer i) {
            writeInt(Tags.INT, i);
        } else if (v instanceof String s) {
            writeString(s);
        } else {
            writeOther(v);
        }
    }

    private void writeOther(Object v) {
        switch (PayloadKind.of(v.getClass())) {
            case BOOLEAN -> tag((Boolean) v ? Tags.TRUE : Tags.FALSE);
            case BYTE -> {
                if (room(2)) {
                    buf[pos] = Tags.BYTE;
                    buf[pos + 1] = (Byte) v;
                    pos += 2;
                }
            }
            case SHORT -> writeShort(Tags.SHORT, (Short) v);
            case CHAR -> writeShort(Tags.CHAR, (short) (char) (Character) v);
            case INT -> writeInt(Tags.INT, (Integer) v);
            case LONG -> writeLong(Tags.LONG, (Long) v);
            case FLOAT -> writeInt(Tags.FLOAT, Float.floatToRawIntBits((Float) v));
            case DOUBLE -> writeLong(Tags.DOUBLE, Double.doubleToRawLongBits((Double) v));
            case STRING -> writeString((String) v);
            case BIG_INTEGER -> writeBytes(Tags.BIG_INTEGER, ((BigInteger) v).toByteArray());
            case BIG_DECIMAL -> {
                BigDecimal d = (BigDecimal) v;
                writeInt(Tags.BIG_DECIMAL, d.scale());
                byte[] unscaled = d.unscaledValue().toByteArray();
                writeCount(unscaled.length);
                raw(unscaled);
            }
            case BOOLEAN_ARRAY -> writeBooleans((boolean[]) v);
            case BYTE_ARRAY -> writeBytes(Tags.BYTE_ARRAY, (byte[]) v);
            case SHORT_ARRAY -> writeArray(Tags.SHORT_ARRAY, v, ((short[]) v).length, SHORT_LAYOUT);
            case CHAR_ARRAY -> writeArray(Tags.CHAR_ARRAY, v, ((char[]) v).length, CHAR_LAYOUT);
            case INT_ARRAY -> writeArray(Tags.INT_ARRAY, v, ((int[]) v).length, INT_LAYOUT);
            case LONG_ARRAY -> writeArray(Tags.LONG_ARRAY, v, ((long[]) v).length, LONG_LAYOUT);
            case FLOAT_ARRAY -> writeArray(Tags.FLOAT_ARRAY, v, ((float[]) v).length, FLOAT_LAYOUT);
            case DOUBLE_ARRAY -> writeArray(Tags.DOUBLE_ARRAY, v, ((double[]) v).length, DOUBLE_LAYOUT);
            case BYTE_BUFFER -> writeByteBuffer((ByteBuffer) v);
            case LIST -> writeCollection(Tags.LIST, (Collection<?>) v);
            case SET -> writeCollection(Tags.SET, (Collection<?>) v);
            case MAP -> writeMap((Map<?, ?>) v);
            case OPTIONAL -> writeOptional((Optional<?>) v);
            case UUID -> {
                UUID u = (UUID) v;
                writeLong(Tags.UUID, u.getMostSignificantBits());
                raw64(u.getLeastSignificantBits());
            }
            case ENUM -> writeEnum((Enum<?>) v);
            case RECORD -> writeRecord((Record) v);
            case THROWABLE -> writeThrowable((Throwable) v);
            case FUNCTION -> throw new PayloadException(v.getClass().getName()
                    + " cannot be a payload: lambdas and functions cannot be payloads");
            case OBJECT_ARRAY -> throw new PayloadException(v.getClass().getTypeName()
                    + " cannot be a payload: arrays of references (Object[] and other non-primitive arrays)"
                    + " are not supported; use a List");
            case OTHER_COLLECTION, UNSUPPORTED -> throw unsupported(v);
            default -> writeTime(v);
        }
    }

    private PayloadException unsupported(Object v) {
        return new PayloadException(v.getClass().getName() + " cannot be a payload: it is not a supported type."
                + " Supported: null, Boolean, Byte, Short, Character, Integer, Long, Float, Double, BigInteger,"
                + " BigDecimal, String, primitive arrays, ByteBuffer, List, Set, Map, Optional, UUID,"
                + " java.time values, Throwable, and records and enums whose package is allowed (allowed"
                + " packages: " + policy.allowedList() + ")");
    }

    private void writeTime(Object v) {
        switch (v) {
            case Instant t -> {
                writeLong(Tags.INSTANT, t.getEpochSecond());
                raw32(t.getNano());
            }
            case Duration d -> {
                writeLong(Tags.DURATION, d.getSeconds());
                raw32(d.getNano());
            }
            case Period p -> {
                writeInt(Tags.PERIOD, p.getYears());
                raw32(p.getMonths());
                raw32(p.getDays());
            }
            case LocalDate d -> {
                tag(Tags.LOCAL_DATE);
                date(d);
            }
            case LocalTime t -> writeLong(Tags.LOCAL_TIME, t.toNanoOfDay());
            case LocalDateTime t -> {
                tag(Tags.LOCAL_DATE_TIME);
                dateTime(t);
            }
            case OffsetDateTime t -> {
                tag(Tags.OFFSET_DATE_TIME);
                dateTime(t.toLocalDateTime());
                raw32(t.getOffset().getTotalSeconds());
            }
            case OffsetTime t -> {
                writeLong(Tags.OFFSET_TIME, t.toLocalTime().toNanoOfDay());
                raw32(t.getOffset().getTotalSeconds());
            }
            case ZonedDateTime t -> {
                tag(Tags.ZONED_DATE_TIME);
                dateTime(t.toLocalDateTime());
                raw32(t.getOffset().getTotalSeconds());
                writeString(t.getZone().getId());
            }
            case ZoneOffset z -> writeInt(Tags.ZONE_OFFSET, z.getTotalSeconds());
            case ZoneId z -> {
                tag(Tags.ZONE_ID);
                writeString(z.getId());
            }
            case Year y -> writeInt(Tags.YEAR, y.getValue());
            case YearMonth y -> {
                writeInt(Tags.YEAR_MONTH, y.getYear());
                raw8(y.getMonthValue());
            }
            case MonthDay m -> {
                tag(Tags.MONTH_DAY);
                raw8(m.getMonthValue());
                raw8(m.getDayOfMonth());
            }
            default -> throw unsupported(v);
        }
    }

    private void date(LocalDate d) {
        raw32(d.getYear());
        raw8(d.getMonthValue());
        raw8(d.getDayOfMonth());
    }

    private void dateTime(LocalDateTime t) {
        date(t.toLocalDate());
        raw64(t.toLocalTime().toNanoOfDay());
    }

    // ---------------------------------------------------------------- strings

    private void writeString(String s) {
        int n = s.length();
        if (n > CHUNK) {
            writeLongString(s, n);
            return;
        }
        char[] cs = chars;
        s.getChars(0, n, cs, 0);
        if (isLatin1(cs, 0, n)) {
            if (room(5L + n)) {
                byte[] b = buf;
                int p = pos;
                b[p] = Tags.STRING_LATIN1;
                INT_LE.set(b, p + 1, n);
                p += 5;
                for (int i = 0; i < n; i++) {
                    b[p + i] = (byte) cs[i];
                }
                pos = p + n;
            }
        } else if (room(5L + 2L * n)) {
            buf[pos] = Tags.STRING_UTF16;
            INT_LE.set(buf, pos + 1, n);
            MemorySegment.copy(cs, 0, seg, CHAR_LAYOUT, pos + 5, n);
            pos += 5 + 2 * n;
        }
    }

    private static boolean isLatin1(char[] cs, int from, int to) {
        int any = 0;
        for (int i = from; i < to; i++) {
            any |= cs[i];
        }
        return any < 256;
    }

    /** Strings longer than one chunk: scan in chunks first, then copy in chunks (never buffered whole). */
    private void writeLongString(String s, int n) {
        char[] cs = chars;
        boolean latin1 = true;
        for (int from = 0; from < n && latin1; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            s.getChars(from, to, cs, 0);
            latin1 = isLatin1(cs, 0, to - from);
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
                byte[] b = buf;
                int p = pos;
                for (int i = 0; i < k; i++) {
                    b[p + i] = (byte) cs[i];
                }
                pos = p + k;
            } else {
                MemorySegment.copy(cs, 0, seg, CHAR_LAYOUT, pos, k);
                pos += 2 * k;
            }
        }
    }

    private void writeNullableString(String s) {
        if (s == null) {
            tag(Tags.NULL);
        } else {
            writeString(s);
        }
    }

    // ---------------------------------------------------------------- arrays and buffers

    private void writeBytes(byte tag, byte[] b) {
        if (room(5L + b.length)) {
            buf[pos] = tag;
            INT_LE.set(buf, pos + 1, b.length);
            System.arraycopy(b, 0, buf, pos + 5, b.length);
            pos += 5 + b.length;
        }
    }

    private void writeBooleans(boolean[] a) {
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

    private void writeArray(byte tag, Object array, int n, ValueLayout element) {
        long bytes = n * element.byteSize();
        if (room(5 + bytes)) {
            buf[pos] = tag;
            INT_LE.set(buf, pos + 1, n);
            MemorySegment.copy(array, 0, seg, element, pos + 5, n);
            pos += 5 + (int) bytes;
        }
    }

    private void writeByteBuffer(ByteBuffer bb) {
        int n = bb.remaining();
        if (room(6L + n)) {
            buf[pos] = Tags.BYTE_BUFFER;
            buf[pos + 1] = bb.order() == ByteOrder.LITTLE_ENDIAN ? Tags.ORDER_LITTLE_ENDIAN : Tags.ORDER_BIG_ENDIAN;
            INT_LE.set(buf, pos + 2, n);
            MemorySegment.copy(MemorySegment.ofBuffer(bb), 0, seg, pos + 6, n);
            pos += 6 + n;
        }
    }

    // ---------------------------------------------------------------- containers

    private void writeCollection(byte tag, Collection<?> c) {
        enter(c);
        int n = c.size();
        writeInt(tag, n);
        int count = 0;
        if (c instanceof List<?> l && c instanceof RandomAccess) {
            for (; count < n; count++) {
                writeValue(l.get(count));
            }
        } else {
            Iterator<?> it = c.iterator();
            for (; count < n && it.hasNext(); count++) {
                writeValue(it.next());
            }
            if (it.hasNext()) {
                count++;
            }
        }
        if (count != n) {
            throw new PayloadException(c.getClass().getName() + " cannot be a payload: its size changed while it was"
                    + " encoded (size()=" + n + ")");
        }
        leave();
    }

    private void writeMap(Map<?, ?> m) {
        enter(m);
        int n = m.size();
        writeInt(Tags.MAP, n);
        int count = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (count++ == n) {
                break;
            }
            writeValue(e.getKey());
            writeValue(e.getValue());
        }
        if (count != n) {
            throw new PayloadException(m.getClass().getName() + " cannot be a payload: its size changed while it was"
                    + " encoded (size()=" + n + ")");
        }
        leave();
    }

    private void writeOptional(Optional<?> o) {
        if (o.isEmpty()) {
            tag(Tags.OPTIONAL_EMPTY);
            return;
        }
        enter(o);
        tag(Tags.OPTIONAL);
        writeValue(o.get());
        leave();
    }

    private void writeEnum(Enum<?> e) {
        EnumCodec codec = policy.enumType(e.getDeclaringClass());
        typeRef(Tags.ENUM, codec.type, codec.name, -1);
        writeString(e.name());
    }

    private void writeRecord(Record r) {
        Class<?> c = r.getClass();
        RecordCodec codec = lastRecord;
        if (c != lastRecordClass) {
            codec = policy.record(c);
            lastRecordClass = c;
            lastRecord = codec;
        }
        enter(r);
        typeRef(Tags.RECORD, c, codec.name, codec.componentCount());
        byte[] kinds = codec.kinds;
        var getters = codec.getters;
        int i = 0;
        try {
            for (; i < kinds.length; i++) {
                switch (kinds[i]) {
                    case RecordCodec.K_INT -> writeInt(Tags.INT, (int) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_LONG -> writeLong(Tags.LONG, (long) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_DOUBLE -> writeLong(Tags.DOUBLE,
                            Double.doubleToRawLongBits((double) getters[i].invokeExact((Object) r)));
                    case RecordCodec.K_FLOAT -> writeInt(Tags.FLOAT,
                            Float.floatToRawIntBits((float) getters[i].invokeExact((Object) r)));
                    case RecordCodec.K_BOOLEAN -> tag((boolean) getters[i].invokeExact((Object) r) ? Tags.TRUE : Tags.FALSE);
                    case RecordCodec.K_BYTE -> writeValue((byte) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_SHORT -> writeShort(Tags.SHORT, (short) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_CHAR -> writeShort(Tags.CHAR, (short) (char) getters[i].invokeExact((Object) r));
                    default -> writeValue((Object) getters[i].invokeExact((Object) r));
                }
            }
        } catch (PayloadException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new PayloadException("record " + codec.name + " cannot be encoded: component '"
                    + codec.componentNames[i] + "' failed: " + t, t);
        }
        leave();
    }

    /** Writes {@code tag} and the type ref of {@code type}, defining the type on first use in this payload. */
    private void typeRef(byte tag, Class<?> type, String name, int components) {
        int k = typeIndex(type);
        if (k >= 0) {
            writeInt(tag, k);
            return;
        }
        k = typeCount++;
        if (k < LINEAR_TYPES) {
            types[k] = type;
        } else {
            if (moreTypes == null) {
                moreTypes = new IdentityHashMap<>();
            }
            moreTypes.put(type, k);
        }
        writeInt(tag, k);
        writeString(name);
        if (components >= 0) {
            raw16(components);
        }
    }

    private int typeIndex(Class<?> type) {
        int n = Math.min(typeCount, LINEAR_TYPES);
        for (int i = 0; i < n; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        if (moreTypes != null) {
            Integer k = moreTypes.get(type);
            return k == null ? -1 : k;
        }
        return -1;
    }

    private void writeThrowable(Throwable t) {
        if (throwables == null) {
            throwables = new IdentityHashMap<>();
        } else {
            Integer seen = throwables.get(t);
            if (seen != null) {
                writeInt(Tags.THROWABLE_REF, seen);
                return;
            }
        }
        throwables.put(t, throwables.size());
        enter(t);
        tag(Tags.THROWABLE);
        if (t.getClass() == RemoteTaskException.class) {
            RemoteTaskException r = (RemoteTaskException) t;
            writeString(r.remoteClassName());
            writeNullableString(r.remoteMessage());
        } else {
            writeString(t.getClass().getName());
            writeNullableString(t.getMessage());
        }
        StackTraceElement[] stack = t.getStackTrace();
        writeCount(stack.length);
        for (StackTraceElement e : stack) {
            writeNullableString(e.getClassLoaderName());
            writeNullableString(e.getModuleName());
            writeNullableString(e.getModuleVersion());
            writeString(e.getClassName());
            writeString(e.getMethodName());
            writeNullableString(e.getFileName());
            raw32(e.getLineNumber());
        }
        Throwable cause = t.getCause();
        if (cause == null) {
            tag(Tags.NULL);
        } else {
            writeThrowable(cause);
        }
        Throwable[] suppressed = t.getSuppressed();
        writeCount(suppressed.length);
        for (Throwable s : suppressed) {
            writeThrowable(s);
        }
        leave();
    }

    /** Pushes a container on the current path: checks the depth bound and identity cycles. */
    private void enter(Object container) {
        int d = depth;
        if (d >= Tags.MAX_DEPTH) {
            throw new PayloadException(container.getClass().getName() + " cannot be a payload: nesting deeper than "
                    + Tags.MAX_DEPTH + " levels");
        }
        Object[] p = path;
        for (int i = 0; i < d; i++) {
            if (p[i] == container) {
                throw new PayloadException(container.getClass().getName() + " cannot be a payload: cyclic graph (it"
                        + " contains itself at nesting level " + (d - i) + " below itself)");
            }
        }
        p[d] = container;
        depth = d + 1;
    }

    private void leave() {
        path[--depth] = null;
    }

    private static String typeName(Object v) {
        return v == null ? "null" : v.getClass().getName();
    }

    // ---------------------------------------------------------------- raw writes

    /** @return whether {@code n} more bytes can be written at {@link #pos}; when not, they are counted */
    private boolean room(long n) {
        return pos + n <= limit || grow(n);
    }

    private boolean grow(long n) {
        if (counting) {
            overflow += n;
            return false;
        }
        long need = pos + n;
        if (need > maxBytes || need > MAX_BUFFER) {
            counting = true;
            limit = -1;
            overflow = n;
            return false;
        }
        long capacity = Math.min(Math.max(need, 2L * buf.length), Math.min(MAX_BUFFER, Math.max(maxBytes, need)));
        buf = Arrays.copyOf(buf, (int) capacity);
        seg = MemorySegment.ofArray(buf);
        limit = Math.min(capacity, maxBytes);
        return true;
    }

    private void tag(byte tag) {
        if (room(1)) {
            buf[pos++] = tag;
        }
    }

    private void raw8(int v) {
        if (room(1)) {
            buf[pos++] = (byte) v;
        }
    }

    private void raw16(int v) {
        if (room(2)) {
            SHORT_LE.set(buf, pos, (short) v);
            pos += 2;
        }
    }

    private void raw32(int v) {
        if (room(4)) {
            INT_LE.set(buf, pos, v);
            pos += 4;
        }
    }

    private void raw64(long v) {
        if (room(8)) {
            LONG_LE.set(buf, pos, v);
            pos += 8;
        }
    }

    private void raw(byte[] b) {
        if (room(b.length)) {
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }
    }

    private void writeCount(int n) {
        raw32(n);
    }

    private void writeShort(byte tag, short v) {
        if (room(3)) {
            buf[pos] = tag;
            SHORT_LE.set(buf, pos + 1, v);
            pos += 3;
        }
    }

    private void writeInt(byte tag, int v) {
        if (room(5)) {
            buf[pos] = tag;
            INT_LE.set(buf, pos + 1, v);
            pos += 5;
        }
    }

    private void writeLong(byte tag, long v) {
        if (room(9)) {
            buf[pos] = tag;
            LONG_LE.set(buf, pos + 1, v);
            pos += 9;
        }
    }
}
