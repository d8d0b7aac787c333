package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import static dev.knitting.internal.codec.PayloadEncoder.CHAR_LAYOUT;
import static dev.knitting.internal.codec.PayloadEncoder.DOUBLE_LAYOUT;
import static dev.knitting.internal.codec.PayloadEncoder.FLOAT_LAYOUT;
import static dev.knitting.internal.codec.PayloadEncoder.INT_LAYOUT;
import static dev.knitting.internal.codec.PayloadEncoder.LONG_LAYOUT;
import static dev.knitting.internal.codec.PayloadEncoder.SHORT_LAYOUT;

/**
 * Turns bytes described by {@link Tags} back into Java values, treating them as hostile.
 *
 * <p>Why: the bytes come from another process's shared memory (principle "never trust the peer").
 * Every count and length is checked against the bytes that remain before anything is allocated,
 * nesting is bounded by {@link Tags#MAX_DEPTH} (no stack overflow), class names pass the
 * {@link TypePolicy} before any class is loaded, and anything unexpected becomes a
 * {@link ProtocolException} (malformed bytes) or {@link PayloadException} (a type that may not
 * travel, or a record that rejects its components). No other exception leaves {@link #decode}.
 *
 * <p>One instance per thread; not thread-safe. Scratch arrays are reused and bounded.
 */
public final class PayloadDecoder {
    private static final int MAX_SCRATCH = 1 << 16;
    private static final int NAME_CACHE = 16;
    private static final int MAX_PRESIZE = 1 << 16;
    /** Smallest encoded stack frame: 3 x NULL, 2 x empty string, NULL, i32. */
    private static final int MIN_FRAME_BYTES = 3 + 5 + 5 + 1 + 4;

    private final TypePolicy policy;
    private MemorySegment in;
    private long pos;
    private long end;
    private int depth;

    private byte[] bytes = new byte[256];
    private char[] chars = new char[256];

    private Object[] types = new Object[8];
    private int typeCount;
    private Throwable[] throwables;
    private int throwableCount;

    /** Recently resolved class names: raw string value bytes (tag, length, data) to codec. */
    private final byte[][] nameKeys = new byte[NAME_CACHE][];
    private final MemorySegment[] nameKeySegments = new MemorySegment[NAME_CACHE];
    private final Object[] nameCodecs = new Object[NAME_CACHE];
    private int nameNext;

    /** @param policy which records and enums may be decoded */
    public PayloadDecoder(TypePolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Decodes exactly one value that fills {@code payload}.
     *
     * @throws ProtocolException for malformed bytes (unknown tag, bad length, truncation, trailing bytes)
     * @throws PayloadException for a type that may not travel, or a record rejecting its components
     */
    public Object decode(MemorySegment payload) {
        Objects.requireNonNull(payload, "payload");
        in = payload;
        pos = 0;
        end = payload.byteSize();
        depth = 0;
        typeCount = 0;
        throwableCount = 0;
        try {
            Object value = readValue();
            if (pos != end) {
                throw new ProtocolException("payload has " + (end - pos) + " trailing bytes after the value ending at"
                        + " offset " + pos + " (payload length " + end + ")");
            }
            return value;
        } catch (ProtocolException | PayloadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProtocolException("malformed payload near offset " + pos + " (payload length " + end + "): " + e, e);
        } finally {
            in = null;
            Arrays.fill(types, 0, typeCount, null);
            if (throwables != null) {
                Arrays.fill(throwables, 0, Math.min(throwableCount, throwables.length), null);
            }
        }
    }

    // ---------------------------------------------------------------- values

    private Object readValue() {
        byte tag = u8tag();
        switch (tag) {
            case Tags.NULL:
                return null;
            case Tags.FALSE:
                return Boolean.FALSE;
            case Tags.TRUE:
                return Boolean.TRUE;
            case Tags.BYTE:
                need(1);
                return in.get(ValueLayout.JAVA_BYTE, pos++);
            case Tags.SHORT:
                return i16();
            case Tags.CHAR:
                return (char) i16();
            case Tags.INT:
                return i32();
            case Tags.LONG:
                return i64();
            case Tags.FLOAT:
                return Float.intBitsToFloat(i32());
            case Tags.DOUBLE:
                return Double.longBitsToDouble(i64());
            case Tags.STRING_LATIN1:
                return latin1(count(1, tag));
            case Tags.STRING_UTF16:
                return utf16(count(2, tag));
            case Tags.BIG_INTEGER:
                return new BigInteger(magnitude(tag));
            case Tags.BIG_DECIMAL: {
                int scale = i32();
                return new BigDecimal(new BigInteger(magnitude(tag)), scale);
            }
            case Tags.BOOLEAN_ARRAY:
                return booleans();
            case Tags.BYTE_ARRAY: {
                int n = count(1, tag);
                return copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
            }
            case Tags.SHORT_ARRAY: {
                int n = count(2, tag);
                return copyIn(new short[n], n, SHORT_LAYOUT);
            }
            case Tags.CHAR_ARRAY: {
                int n = count(2, tag);
                return copyIn(new char[n], n, CHAR_LAYOUT);
            }
            case Tags.INT_ARRAY: {
                int n = count(4, tag);
                return copyIn(new int[n], n, INT_LAYOUT);
            }
            case Tags.LONG_ARRAY: {
                int n = count(8, tag);
                return copyIn(new long[n], n, LONG_LAYOUT);
            }
            case Tags.FLOAT_ARRAY: {
                int n = count(4, tag);
                return copyIn(new float[n], n, FLOAT_LAYOUT);
            }
            case Tags.DOUBLE_ARRAY: {
                int n = count(8, tag);
                return copyIn(new double[n], n, DOUBLE_LAYOUT);
            }
            case Tags.BYTE_BUFFER:
                return byteBuffer();
            case Tags.LIST:
                return list();
            case Tags.SET:
                return set();
            case Tags.MAP:
                return map();
            case Tags.OPTIONAL_EMPTY:
                return Optional.empty();
            case Tags.OPTIONAL:
                return optional();
            case Tags.UUID: {
                long msb = i64();
                return new UUID(msb, i64());
            }
            case Tags.ENUM:
                return enumConstant();
            case Tags.RECORD:
                return record();
            case Tags.THROWABLE:
                return throwable();
            case Tags.THROWABLE_REF:
                return throwableRef();
            case Tags.ENVELOPE, Tags.SHARED_BUFFER, Tags.BUFFER_REFERENCE:
                throw new ProtocolException("tag " + Tags.name(tag) + " at offset " + (pos - 1)
                        + " is reserved for zero-copy types this codec does not handle yet");
            default:
                return time(tag);
        }
    }

    private Object time(byte tag) {
        try {
            return switch (tag) {
                case Tags.INSTANT -> {
                    long s = i64();
                    yield Instant.ofEpochSecond(s, nanoOfSecond());
                }
                case Tags.DURATION -> {
                    long s = i64();
                    yield Duration.ofSeconds(s, nanoOfSecond());
                }
                case Tags.PERIOD -> {
                    int y = i32();
                    int m = i32();
                    yield Period.of(y, m, i32());
                }
                case Tags.LOCAL_DATE -> date();
                case Tags.LOCAL_TIME -> LocalTime.ofNanoOfDay(i64());
                case Tags.LOCAL_DATE_TIME -> dateTime();
                case Tags.OFFSET_DATE_TIME -> {
                    LocalDateTime t = dateTime();
                    yield OffsetDateTime.of(t, ZoneOffset.ofTotalSeconds(i32()));
                }
                case Tags.OFFSET_TIME -> {
                    LocalTime t = LocalTime.ofNanoOfDay(i64());
                    yield OffsetTime.of(t, ZoneOffset.ofTotalSeconds(i32()));
                }
                case Tags.ZONED_DATE_TIME -> {
                    LocalDateTime t = dateTime();
                    ZoneOffset offset = ZoneOffset.ofTotalSeconds(i32());
                    yield ZonedDateTime.ofLocal(t, ZoneId.of(string()), offset);
                }
                case Tags.ZONE_ID -> ZoneId.of(string());
                case Tags.ZONE_OFFSET -> ZoneOffset.ofTotalSeconds(i32());
                case Tags.YEAR -> Year.of(i32());
                case Tags.YEAR_MONTH -> {
                    int y = i32();
                    yield YearMonth.of(y, u8());
                }
                case Tags.MONTH_DAY -> {
                    int m = u8();
                    yield MonthDay.of(m, u8());
                }
                default -> throw new ProtocolException("unknown tag " + Tags.name(tag) + " at offset " + (pos - 1));
            };
        } catch (DateTimeException e) {
            throw new ProtocolException("invalid " + Tags.name(tag) + " value before offset " + pos + ": "
                    + e.getMessage(), e);
        }
    }

    private int nanoOfSecond() {
        int nano = i32();
        if (nano < 0 || nano > 999_999_999) {
            throw new ProtocolException("nano-of-second " + nano + " out of range before offset " + pos);
        }
        return nano;
    }

    private LocalDate date() {
        int y = i32();
        int m = u8();
        return LocalDate.of(y, m, u8());
    }

    private LocalDateTime dateTime() {
        LocalDate d = date();
        return LocalDateTime.of(d, LocalTime.ofNanoOfDay(i64()));
    }

    // ---------------------------------------------------------------- strings

    private String latin1(int n) {
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

    private String utf16(int n) {
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
    private String string() {
        byte tag = u8tag();
        return switch (tag) {
            case Tags.STRING_LATIN1 -> latin1(count(1, tag));
            case Tags.STRING_UTF16 -> utf16(count(2, tag));
            default -> throw new ProtocolException("expected a string at offset " + (pos - 1) + " but found tag "
                    + Tags.name(tag));
        };
    }

    private String nullableString() {
        need(1);
        if (in.get(ValueLayout.JAVA_BYTE, pos) == Tags.NULL) {
            pos++;
            return null;
        }
        return string();
    }

    // ---------------------------------------------------------------- arrays and buffers

    private byte[] magnitude(byte tag) {
        int n = count(1, tag);
        if (n == 0) {
            throw new ProtocolException(Tags.name(tag) + " with zero magnitude bytes before offset " + pos);
        }
        return copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
    }

    private <A> A copyIn(A array, int n, ValueLayout element) {
        MemorySegment.copy(in, element, pos, array, 0, n);
        pos += n * element.byteSize();
        return array;
    }

    private boolean[] booleans() {
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

    private ByteBuffer byteBuffer() {
        int order = u8();
        if (order != Tags.ORDER_BIG_ENDIAN && order != Tags.ORDER_LITTLE_ENDIAN) {
            throw new ProtocolException("BYTE_BUFFER byte order " + order + " at offset " + (pos - 1) + " is not 0 or 1");
        }
        int n = count(1, Tags.BYTE_BUFFER);
        byte[] b = copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
        return ByteBuffer.wrap(b).order(order == Tags.ORDER_LITTLE_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }

    // ---------------------------------------------------------------- containers

    private ArrayList<Object> list() {
        enter();
        int n = count(1, Tags.LIST);
        ArrayList<Object> list = new ArrayList<>(Math.min(n, MAX_PRESIZE));
        for (int i = 0; i < n; i++) {
            list.add(readValue());
        }
        depth--;
        return list;
    }

    private LinkedHashSet<Object> set() {
        enter();
        int n = count(1, Tags.SET);
        LinkedHashSet<Object> set = LinkedHashSet.newLinkedHashSet(Math.min(n, MAX_PRESIZE));
        for (int i = 0; i < n; i++) {
            set.add(readValue());
        }
        depth--;
        return set;
    }

    private LinkedHashMap<Object, Object> map() {
        enter();
        int n = count(2, Tags.MAP);
        LinkedHashMap<Object, Object> map = LinkedHashMap.newLinkedHashMap(Math.min(n, MAX_PRESIZE));
        for (int i = 0; i < n; i++) {
            Object key = readValue();
            map.put(key, readValue());
        }
        depth--;
        return map;
    }

    private Optional<Object> optional() {
        enter();
        long at = pos;
        Object v = readValue();
        if (v == null) {
            throw new ProtocolException("OPTIONAL holds NULL at offset " + at);
        }
        depth--;
        return Optional.of(v);
    }

    private Object enumConstant() {
        EnumCodec codec = (EnumCodec) typeRef(false);
        String name = string();
        Object constant = codec.constant(name);
        if (constant == null) {
            throw new PayloadException("enum " + codec.name + " has no constant '" + name + "' (payload offset " + pos + ")");
        }
        return constant;
    }

    private Object record() {
        enter();
        RecordCodec codec = (RecordCodec) typeRef(true);
        int n = codec.componentCount();
        Object[] args = new Object[n];
        for (int i = 0; i < n; i++) {
            Object v = readValue();
            if (v == null ? codec.primitive[i] : !codec.checkTypes[i].isInstance(v)) {
                throw new PayloadException("record " + codec.name + " component '" + codec.componentNames[i] + "' is "
                        + codec.checkTypes[i].getName() + " but the payload holds "
                        + (v == null ? "null" : v.getClass().getName()) + " (before offset " + pos + ")");
            }
            args[i] = v;
        }
        Object r;
        try {
            r = (Object) codec.constructor.invokeExact(args);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            throw new PayloadException("record " + codec.name + " rejected the decoded components: " + t, t);
        }
        depth--;
        return r;
    }

    /**
     * Reads a type ref (see {@link Tags}): an index of this payload's type table, or a new definition.
     *
     * @return a {@link RecordCodec} or {@link EnumCodec}
     */
    private Object typeRef(boolean record) {
        long at = pos;
        int k = i32();
        Object codec;
        if (k >= 0 && k < typeCount) {
            codec = types[k];
            if (record ? !(codec instanceof RecordCodec) : !(codec instanceof EnumCodec)) {
                throw new ProtocolException("type ref " + k + " at offset " + at + " names "
                        + (record ? "an enum where a record is expected" : "a record where an enum is expected"));
            }
            return codec;
        }
        if (k != typeCount) {
            throw new ProtocolException("type ref " + Integer.toUnsignedString(k) + " at offset " + at + " but only "
                    + typeCount + " types are defined");
        }
        codec = typeName(record);
        if (record) {
            RecordCodec rc = (RecordCodec) codec;
            int components = i16() & 0xFFFF;
            if (components != rc.componentCount()) {
                throw new ProtocolException("record " + rc.name + " has " + rc.componentCount()
                        + " components here but the payload says " + components + " (offset " + (pos - 2) + ")");
            }
        }
        if (typeCount == types.length) {
            types = Arrays.copyOf(types, typeCount * 2);
        }
        types[typeCount++] = codec;
        return codec;
    }

    /** Reads a class name string and resolves it, without allocating when it was seen recently. */
    private Object typeName(boolean record) {
        long start = pos;
        byte tag = u8tag();
        int n = switch (tag) {
            case Tags.STRING_LATIN1 -> count(1, tag);
            case Tags.STRING_UTF16 -> count(2, tag);
            default -> throw new ProtocolException("expected a class name string at offset " + start + " but found tag "
                    + Tags.name(tag));
        };
        long size = pos - start + (tag == Tags.STRING_LATIN1 ? n : 2L * n);
        for (int i = 0; i < NAME_CACHE; i++) {
            byte[] key = nameKeys[i];
            if (key != null && key.length == size
                    && MemorySegment.mismatch(in, start, start + size, nameKeySegments[i], 0, size) < 0) {
                Object codec = nameCodecs[i];
                if (record ? codec instanceof RecordCodec : codec instanceof EnumCodec) {
                    pos = start + size;
                    return codec;
                }
            }
        }
        String name = tag == Tags.STRING_LATIN1 ? latin1(n) : utf16(n);
        Object codec = policy.resolve(name, record);
        byte[] key = new byte[(int) size];
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, start, key, 0, key.length);
        int slot = nameNext;
        nameNext = (slot + 1) % NAME_CACHE;
        nameKeys[slot] = key;
        nameKeySegments[slot] = MemorySegment.ofArray(key);
        nameCodecs[slot] = codec;
        return codec;
    }

    private Throwable throwable() {
        enter();
        int index = throwableCount++;
        if (throwables == null) {
            throwables = new Throwable[4];
        } else if (index == throwables.length) {
            throwables = Arrays.copyOf(throwables, index * 2);
        }
        throwables[index] = null;
        String className = string();
        String message = nullableString();
        int frames = count(MIN_FRAME_BYTES, Tags.THROWABLE);
        StackTraceElement[] stack = new StackTraceElement[frames];
        for (int i = 0; i < frames; i++) {
            String loader = nullableString();
            String module = nullableString();
            String version = nullableString();
            String declaringClass = string();
            String method = string();
            String file = nullableString();
            stack[i] = new StackTraceElement(loader, module, version, declaringClass, method, file, i32());
        }
        Throwable cause = throwableOrNull(true);
        Throwable t = ThrowableTypes.rebuild(className, message, cause);
        t.setStackTrace(stack);
        throwables[index] = t;
        int suppressed = count(1, Tags.THROWABLE);
        for (int i = 0; i < suppressed; i++) {
            Throwable s = throwableOrNull(false);
            if (s != null && s != t) {
                t.addSuppressed(s);
            }
        }
        depth--;
        return t;
    }

    private Throwable throwableOrNull(boolean nullAllowed) {
        byte tag = u8tag();
        return switch (tag) {
            case Tags.THROWABLE -> throwable();
            case Tags.THROWABLE_REF -> throwableRef();
            case Tags.NULL -> {
                if (!nullAllowed) {
                    throw new ProtocolException("NULL suppressed throwable at offset " + (pos - 1));
                }
                yield null;
            }
            default -> throw new ProtocolException("expected a throwable at offset " + (pos - 1) + " but found tag "
                    + Tags.name(tag));
        };
    }

    /** @return the referenced throwable, or {@code null} when it is still being decoded (a cycle) */
    private Throwable throwableRef() {
        long at = pos;
        int index = i32();
        if (index < 0 || index >= throwableCount) {
            throw new ProtocolException("THROWABLE_REF " + Integer.toUnsignedString(index) + " at offset " + at
                    + " but only " + throwableCount + " throwables precede it");
        }
        return throwables[index];
    }

    private void enter() {
        if (++depth > Tags.MAX_DEPTH) {
            throw new ProtocolException("payload nesting deeper than " + Tags.MAX_DEPTH + " levels at offset " + (pos - 1));
        }
    }

    // ---------------------------------------------------------------- raw reads

    private void need(long n) {
        if (n > end - pos) {
            throw new ProtocolException("payload truncated: " + n + " bytes needed at offset " + pos + " but only "
                    + (end - pos) + " remain (payload length " + end + ")");
        }
    }

    private byte u8tag() {
        need(1);
        return in.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private int u8() {
        return u8tag() & 0xFF;
    }

    private short i16() {
        need(2);
        short v = in.get(SHORT_LAYOUT, pos);
        pos += 2;
        return v;
    }

    private int i32() {
        need(4);
        int v = in.get(INT_LAYOUT, pos);
        pos += 4;
        return v;
    }

    private long i64() {
        need(8);
        long v = in.get(LONG_LAYOUT, pos);
        pos += 8;
        return v;
    }

    /**
     * Reads a u32 count of elements of at least {@code minBytes} each and checks that they fit in
     * the bytes that remain, before the caller allocates anything.
     */
    private int count(int minBytes, byte tag) {
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
