package dev.knitting.internal.codec;

import dev.knitting.Envelope;
import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.share.Received;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

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

import static dev.knitting.internal.codec.LittleEndian.CHAR_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.DOUBLE_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.FLOAT_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.INT_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.LONG_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.SHORT_LAYOUT;

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
 * <p>Containment (SPEC 3): decoding n bytes costs O(n log n) time and O(n) memory whatever they
 * say. Each byte of shared memory is read once: a peer may rewrite a tag or a class name between
 * two reads, so nothing is checked in one read and used in another. Nothing is presized from a
 * count beyond {@value #MAX_PRESIZE} elements (containers, stack traces): nested containers could
 * otherwise each presize from the same remaining bytes; larger ones grow with what was decoded.
 * Sets and maps follow {@link KeyHashLimit} (keys per hash, key depth): no hash flooding. At most
 * {@value ZeroCopyDescriptors#MAX_SHARED_BUFFERS} shared-buffer descriptors are resolved per
 * payload, so one payload holds a bounded number of fds and mappings.
 *
 * <p>One instance per thread; not thread-safe. Scratch arrays are reused and bounded.
 */
public final class PayloadDecoder {
    private static final int NAME_CACHE = 16;
    /** Longest encoded class name (tag and length included) kept in the name cache. */
    private static final int MAX_CACHED_NAME_BYTES = 1024;
    private static final int MAX_PRESIZE = 64;
    /** Smallest encoded stack frame: 3 x NULL, 2 x empty string, NULL, i32. */
    private static final int MIN_FRAME_BYTES = 3 + 5 + 5 + 1 + 4;

    private final TypePolicy policy;
    private final Peer peer;
    private final DecodeCursor cur = new DecodeCursor();
    /** The zero-copy objects of the last decode, for the receiver to end; null when none. */
    private Received received;
    private int depth;
    /** How many set elements and map keys enclose the value being decoded. */
    private int keyDepth;
    private int sharedBuffers;

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
        this(policy, Peer.LOCAL);
    }

    /**
     * @param policy which records and enums may be decoded
     * @param peer who encoded: decides which zero-copy descriptors are accepted
     */
    public PayloadDecoder(TypePolicy policy, Peer peer) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.peer = Objects.requireNonNull(peer, "peer");
    }

    /**
     * @return the shared buffers and references the last successful decode produced, for the
     *     receiver to close when the call is over or to discard; null when there were none
     */
    public Received takeReceived() {
        Received r = received;
        received = null;
        return r;
    }

    /**
     * Decodes exactly one value that fills {@code payload}.
     *
     * @throws ProtocolException for malformed bytes (unknown tag, bad length, truncation, trailing bytes)
     * @throws PayloadException for a type that may not travel, or a record rejecting its components
     */
    public Object decode(MemorySegment payload) {
        Objects.requireNonNull(payload, "payload");
        cur.reset(payload);
        depth = 0;
        keyDepth = 0;
        sharedBuffers = 0;
        typeCount = 0;
        throwableCount = 0;
        received = null;
        boolean done = false;
        try {
            Object value = readValue();
            if (cur.pos != cur.end) {
                throw new ProtocolException("payload has " + (cur.end - cur.pos) + " trailing bytes after the value ending at"
                        + " offset " + cur.pos + " (payload length " + cur.end + ")");
            }
            done = true;
            return value;
        } catch (ProtocolException | PayloadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProtocolException("malformed payload near offset " + cur.pos + " (payload length " + cur.end + "): " + e, e);
        } finally {
            if (!done && received != null) {
                Received partial = received;
                received = null;
                partial.discard();
            }
            cur.in = null;
            if (typeCount > 0) {
                Arrays.fill(types, 0, typeCount, null);
            }
            if (throwables != null) {
                Arrays.fill(throwables, 0, Math.min(throwableCount, throwables.length), null);
            }
        }
    }

    // ---------------------------------------------------------------- values

    private Object readValue() {
        return readValue(cur.u8tag());
    }

    /** Reads the body of a value whose tag was just read. */
    private Object readValue(byte tag) {
        switch (tag) {
            case Tags.NULL:
                return null;
            case Tags.FALSE:
                return Boolean.FALSE;
            case Tags.TRUE:
                return Boolean.TRUE;
            case Tags.BYTE:
                return cur.u8tag();
            case Tags.SHORT:
                return cur.i16();
            case Tags.CHAR:
                return (char) cur.i16();
            case Tags.INT:
                return cur.i32();
            case Tags.LONG:
                return cur.i64();
            case Tags.FLOAT:
                return Float.intBitsToFloat(cur.i32());
            case Tags.DOUBLE:
                return Double.longBitsToDouble(cur.i64());
            case Tags.STRING_LATIN1:
                return cur.latin1(cur.count(1, tag));
            case Tags.STRING_UTF16:
                return cur.utf16(cur.count(2, tag));
            case Tags.BIG_INTEGER:
                return new BigInteger(magnitude(tag));
            case Tags.BIG_DECIMAL: {
                int scale = cur.i32();
                return new BigDecimal(new BigInteger(magnitude(tag)), scale);
            }
            case Tags.BOOLEAN_ARRAY:
                return cur.booleans();
            case Tags.BYTE_ARRAY: {
                int n = cur.count(1, tag);
                return cur.copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
            }
            case Tags.SHORT_ARRAY: {
                int n = cur.count(2, tag);
                return cur.copyIn(new short[n], n, SHORT_LAYOUT);
            }
            case Tags.CHAR_ARRAY: {
                int n = cur.count(2, tag);
                return cur.copyIn(new char[n], n, CHAR_LAYOUT);
            }
            case Tags.INT_ARRAY: {
                int n = cur.count(4, tag);
                return cur.copyIn(new int[n], n, INT_LAYOUT);
            }
            case Tags.LONG_ARRAY: {
                int n = cur.count(8, tag);
                return cur.copyIn(new long[n], n, LONG_LAYOUT);
            }
            case Tags.FLOAT_ARRAY: {
                int n = cur.count(4, tag);
                return cur.copyIn(new float[n], n, FLOAT_LAYOUT);
            }
            case Tags.DOUBLE_ARRAY: {
                int n = cur.count(8, tag);
                return cur.copyIn(new double[n], n, DOUBLE_LAYOUT);
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
                long msb = cur.i64();
                return new UUID(msb, cur.i64());
            }
            case Tags.ENUM:
                return enumConstant();
            case Tags.RECORD:
                return record();
            case Tags.THROWABLE:
                return throwable();
            case Tags.THROWABLE_REF:
                return throwableRef();
            case Tags.ENVELOPE:
                return envelope();
            case Tags.SHARED_BUFFER:
                return sharedBuffer();
            case Tags.BUFFER_REFERENCE:
                return reference();
            default:
                return time(tag);
        }
    }

    private Object time(byte tag) {
        try {
            return switch (tag) {
                case Tags.INSTANT -> {
                    long s = cur.i64();
                    yield Instant.ofEpochSecond(s, nanoOfSecond());
                }
                case Tags.DURATION -> {
                    long s = cur.i64();
                    yield Duration.ofSeconds(s, nanoOfSecond());
                }
                case Tags.PERIOD -> {
                    int y = cur.i32();
                    int m = cur.i32();
                    yield Period.of(y, m, cur.i32());
                }
                case Tags.LOCAL_DATE -> date();
                case Tags.LOCAL_TIME -> LocalTime.ofNanoOfDay(cur.i64());
                case Tags.LOCAL_DATE_TIME -> dateTime();
                case Tags.OFFSET_DATE_TIME -> {
                    LocalDateTime t = dateTime();
                    yield OffsetDateTime.of(t, ZoneOffset.ofTotalSeconds(cur.i32()));
                }
                case Tags.OFFSET_TIME -> {
                    LocalTime t = LocalTime.ofNanoOfDay(cur.i64());
                    yield OffsetTime.of(t, ZoneOffset.ofTotalSeconds(cur.i32()));
                }
                case Tags.ZONED_DATE_TIME -> {
                    LocalDateTime t = dateTime();
                    ZoneOffset offset = ZoneOffset.ofTotalSeconds(cur.i32());
                    yield ZonedDateTime.ofLocal(t, ZoneId.of(cur.string()), offset);
                }
                case Tags.ZONE_ID -> ZoneId.of(cur.string());
                case Tags.ZONE_OFFSET -> ZoneOffset.ofTotalSeconds(cur.i32());
                case Tags.YEAR -> Year.of(cur.i32());
                case Tags.YEAR_MONTH -> {
                    int y = cur.i32();
                    yield YearMonth.of(y, cur.u8());
                }
                case Tags.MONTH_DAY -> {
                    int m = cur.u8();
                    yield MonthDay.of(m, cur.u8());
                }
                default -> throw new ProtocolException("unknown tag " + Tags.name(tag) + " at offset " + (cur.pos - 1));
            };
        } catch (DateTimeException e) {
            throw new ProtocolException("invalid " + Tags.name(tag) + " value before offset " + cur.pos + ": "
                    + e.getMessage(), e);
        }
    }

    private int nanoOfSecond() {
        int nano = cur.i32();
        if (nano < 0 || nano > 999_999_999) {
            throw new ProtocolException("nano-of-second " + nano + " out of range before offset " + cur.pos);
        }
        return nano;
    }

    private LocalDate date() {
        int y = cur.i32();
        int m = cur.u8();
        return LocalDate.of(y, m, cur.u8());
    }

    private LocalDateTime dateTime() {
        LocalDate d = date();
        return LocalDateTime.of(d, LocalTime.ofNanoOfDay(cur.i64()));
    }

    // ---------------------------------------------------------------- arrays and buffers

    private byte[] magnitude(byte tag) {
        int n = cur.count(1, tag);
        if (n == 0) {
            throw new ProtocolException(Tags.name(tag) + " with zero magnitude bytes before offset " + cur.pos);
        }
        return cur.copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
    }

    private ByteBuffer byteBuffer() {
        int order = cur.u8();
        if (order != Tags.ORDER_BIG_ENDIAN && order != Tags.ORDER_LITTLE_ENDIAN) {
            throw new ProtocolException("BYTE_BUFFER byte order " + order + " at offset " + (cur.pos - 1) + " is not 0 or 1");
        }
        int n = cur.count(1, Tags.BYTE_BUFFER);
        byte[] b = cur.copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
        return ByteBuffer.wrap(b).order(order == Tags.ORDER_LITTLE_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }

    // ---------------------------------------------------------------- zero-copy

    private Envelope<Object, Object> envelope() {
        enter();
        Object header = readValue();
        long at = cur.pos;
        byte tag = cur.u8tag();
        Object body;
        switch (tag) {
            case Tags.BYTE_ARRAY, Tags.BYTE_BUFFER, Tags.SHARED_BUFFER, Tags.BUFFER_REFERENCE -> body = readValue(tag);
            case Tags.MEMORY_SEGMENT -> {
                int n = cur.count(1, tag);
                body = MemorySegment.ofArray(cur.copyIn(new byte[n], n, ValueLayout.JAVA_BYTE));
            }
            default -> throw new ProtocolException("ENVELOPE body at offset " + at + " has tag " + Tags.name(tag)
                    + "; expected BYTE_ARRAY, BYTE_BUFFER, MEMORY_SEGMENT, SHARED_BUFFER or BUFFER_REFERENCE");
        }
        depth--;
        return new Envelope<>(header, body);
    }

    private ProcessSharedBuffer sharedBuffer() {
        long at = cur.pos - 1;
        if (sharedBuffers == ZeroCopyDescriptors.MAX_SHARED_BUFFERS) {
            throw new PayloadException("SHARED_BUFFER at payload offset " + at + " is one more than maxSharedBuffers="
                    + ZeroCopyDescriptors.MAX_SHARED_BUFFERS + " per payload (each maps memory and holds a descriptor)");
        }
        sharedBuffers++;
        ProcessSharedBuffer buffer = ZeroCopyDescriptors.readSharedBuffer(cur, at, peer);
        received().buffer(buffer);
        return buffer;
    }

    private BufferReference reference() {
        BufferReference reference = ZeroCopyDescriptors.readReference(cur, peer);
        received().reference(reference);
        return reference;
    }

    private Received received() {
        Received r = received;
        if (r == null) {
            r = new Received();
            received = r;
        }
        return r;
    }

    // ---------------------------------------------------------------- containers

    private ArrayList<Object> list() {
        enter();
        int n = cur.count(1, Tags.LIST);
        ArrayList<Object> list = new ArrayList<>(Math.min(n, MAX_PRESIZE));
        for (int i = 0; i < n; i++) {
            list.add(readValue());
        }
        depth--;
        return list;
    }

    private LinkedHashSet<Object> set() {
        long at = cur.pos - 1;
        enter();
        int n = cur.count(1, Tags.SET);
        int maxPerHash = openKeys(n, Tags.SET, at);
        LinkedHashSet<Object> set;
        if (n <= maxPerHash) {
            set = LinkedHashSet.newLinkedHashSet(n);
            for (int i = 0; i < n; i++) {
                set.add(readValue());
            }
        } else {
            Object[] keys = new Object[Math.min(n, MAX_PRESIZE)];
            for (int i = 0; i < n; i++) {
                keys = room(keys, i, n);
                keys[i] = readValue();
            }
            KeyHashLimit.check(keys, n, maxPerHash, Tags.SET, at);
            set = LinkedHashSet.newLinkedHashSet(n);
            for (int i = 0; i < n; i++) {
                set.add(keys[i]);
            }
        }
        keyDepth--;
        depth--;
        return set;
    }

    private LinkedHashMap<Object, Object> map() {
        long at = cur.pos - 1;
        enter();
        int n = cur.count(2, Tags.MAP);
        int maxPerHash = openKeys(n, Tags.MAP, at);
        LinkedHashMap<Object, Object> map;
        if (n <= maxPerHash) {
            map = LinkedHashMap.newLinkedHashMap(n);
            for (int i = 0; i < n; i++) {
                Object key = readValue();
                keyDepth--;
                map.put(key, readValue());
                keyDepth++;
            }
        } else {
            Object[] keys = new Object[Math.min(n, MAX_PRESIZE)];
            Object[] values = new Object[keys.length];
            for (int i = 0; i < n; i++) {
                keys = room(keys, i, n);
                values = room(values, i, n);
                keys[i] = readValue();
                keyDepth--;
                values[i] = readValue();
                keyDepth++;
            }
            KeyHashLimit.check(keys, n, maxPerHash, Tags.MAP, at);
            map = LinkedHashMap.newLinkedHashMap(n);
            for (int i = 0; i < n; i++) {
                map.put(keys[i], values[i]);
            }
        }
        keyDepth--;
        depth--;
        return map;
    }

    /**
     * Starts reading the keys of a set or map of {@code n} entries: checks the key depth and counts
     * the keys' level (the caller undoes it).
     *
     * @return the most keys of one hash this set or map may hold ({@link KeyHashLimit})
     */
    private int openKeys(int n, byte tag, long at) {
        int maxPerHash = KeyHashLimit.maxKeysPerHash(keyDepth);
        if (n > 0) {
            KeyHashLimit.checkKeyDepth(keyDepth, tag, at);
        }
        keyDepth++;
        return maxPerHash;
    }

    /** @return {@code a}, or a copy with room for element {@code i} of {@code n} */
    private static <T> T[] room(T[] a, int i, int n) {
        return i < a.length ? a : Arrays.copyOf(a, (int) Math.min(n, 2L * a.length));
    }

    private Optional<Object> optional() {
        enter();
        long at = cur.pos;
        Object v = readValue();
        if (v == null) {
            throw new ProtocolException("OPTIONAL holds NULL at offset " + at);
        }
        depth--;
        return Optional.of(v);
    }

    private Object enumConstant() {
        EnumCodec codec = (EnumCodec) typeRef(false);
        String name = cur.string();
        Object constant = codec.constant(name);
        if (constant == null) {
            throw new PayloadException("enum " + codec.name + " has no constant '" + name + "' (payload offset " + cur.pos + ")");
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
                        + (v == null ? "null" : v.getClass().getName()) + " (before offset " + cur.pos + ")");
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
        long at = cur.pos;
        int k = cur.i32();
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
            int components = cur.i16() & 0xFFFF;
            if (components != rc.componentCount()) {
                throw new ProtocolException("record " + rc.name + " has " + rc.componentCount()
                        + " components here but the payload says " + components + " (offset " + (cur.pos - 2) + ")");
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
        long start = cur.pos;
        byte tag = cur.u8tag();
        int n = switch (tag) {
            case Tags.STRING_LATIN1 -> cur.count(1, tag);
            case Tags.STRING_UTF16 -> cur.count(2, tag);
            default -> throw new ProtocolException("expected a class name string at offset " + start + " but found tag "
                    + Tags.name(tag));
        };
        long size = cur.pos - start + (tag == Tags.STRING_LATIN1 ? n : 2L * n);
        for (int i = 0; i < NAME_CACHE; i++) {
            byte[] key = nameKeys[i];
            if (key != null && key.length == size
                    && cur.matches(start, size, nameKeySegments[i])) {
                Object codec = nameCodecs[i];
                if (record ? codec instanceof RecordCodec : codec instanceof EnumCodec) {
                    cur.pos = start + size;
                    return codec;
                }
            }
        }
        // One read of the name's bytes: resolved and cached from the same copy, so a peer rewriting
        // them meanwhile cannot bind one name to another name's codec.
        byte[] key = cur.copyOut(start, (int) size);
        cur.pos = start + size;
        String name = tag == Tags.STRING_LATIN1
                ? new String(key, (int) (size - n), n, StandardCharsets.ISO_8859_1)
                : utf16(key, (int) (size - 2L * n), n);
        Object codec = policy.resolve(name, record);
        if (size > MAX_CACHED_NAME_BYTES) {
            return codec;
        }
        int slot = nameNext;
        nameNext = (slot + 1) % NAME_CACHE;
        nameKeys[slot] = key;
        nameKeySegments[slot] = MemorySegment.ofArray(key);
        nameCodecs[slot] = codec;
        return codec;
    }

    private static String utf16(byte[] bytes, int offset, int n) {
        char[] chars = new char[n];
        MemorySegment.copy(MemorySegment.ofArray(bytes), CHAR_LAYOUT, offset, chars, 0, n);
        return new String(chars);
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
        String className = cur.string();
        String message = cur.nullableString();
        int frames = cur.count(MIN_FRAME_BYTES, Tags.THROWABLE);
        StackTraceElement[] stack = new StackTraceElement[Math.min(frames, MAX_PRESIZE)];
        for (int i = 0; i < frames; i++) {
            stack = room(stack, i, frames);
            String loader = cur.nullableString();
            String module = cur.nullableString();
            String version = cur.nullableString();
            String declaringClass = cur.string();
            String method = cur.string();
            String file = cur.nullableString();
            stack[i] = new StackTraceElement(loader, module, version, declaringClass, method, file, cur.i32());
        }
        Throwable cause = throwableOrNull(true);
        Throwable t = ThrowableTypes.rebuild(className, message, cause);
        t.setStackTrace(stack);
        throwables[index] = t;
        int suppressed = cur.count(1, Tags.THROWABLE);
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
        byte tag = cur.u8tag();
        return switch (tag) {
            case Tags.THROWABLE -> throwable();
            case Tags.THROWABLE_REF -> throwableRef();
            case Tags.NULL -> {
                if (!nullAllowed) {
                    throw new ProtocolException("NULL suppressed throwable at offset " + (cur.pos - 1));
                }
                yield null;
            }
            default -> throw new ProtocolException("expected a throwable at offset " + (cur.pos - 1) + " but found tag "
                    + Tags.name(tag));
        };
    }

    /** @return the referenced throwable, or {@code null} when it is still being decoded (a cycle) */
    private Throwable throwableRef() {
        long at = cur.pos;
        int index = cur.i32();
        if (index < 0 || index >= throwableCount) {
            throw new ProtocolException("THROWABLE_REF " + Integer.toUnsignedString(index) + " at offset " + at
                    + " but only " + throwableCount + " throwables precede it");
        }
        return throwables[index];
    }

    private void enter() {
        if (++depth > Tags.MAX_DEPTH) {
            throw new ProtocolException("payload nesting deeper than " + Tags.MAX_DEPTH + " levels at offset " + (cur.pos - 1));
        }
    }

}
