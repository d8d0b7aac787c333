package dev.knitting.internal.codec;

import dev.knitting.Envelope;
import dev.knitting.PayloadException;
import dev.knitting.RemoteTaskException;
import dev.knitting.internal.lane.PayloadSource;
import dev.knitting.internal.share.Transfers;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
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

import static dev.knitting.internal.codec.LittleEndian.CHAR_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.DOUBLE_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.FLOAT_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.INT_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.LONG_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.SHORT_LAYOUT;

/**
 * Turns a Java value into the bytes described by {@link Tags}.
 *
 * <p>Why this shape: the encoder walks the value and writes into its own reusable heap
 * {@link EncodeBuffer} (little-endian, one bounds test per value), leaving large array and buffer
 * bodies in the caller's objects; the ring sender copies {@link #message()} straight into its
 * records, so those bodies cross in one copy. {@link #encoded()} gives the same bytes as one
 * segment, for readers that need them contiguous. One instance per thread; not thread-safe.
 *
 * <p>Invariants: every {@link #encode} starts from a clean state, so a failed encode leaves the
 * encoder reusable. Oversized payloads are counted, not buffered, so the error reports the real
 * size. Containers on the current path are tracked by identity (cycles) and counted (depth bound
 * {@link Tags#MAX_DEPTH}); throwables are numbered so repeats and cause cycles become
 * {@code THROWABLE_REF}s; record and enum classes are numbered per payload (type refs).
 */
public final class PayloadEncoder {
    static final int SHRINK_ABOVE = EncodeBuffer.SHRINK_ABOVE;
    private static final int LINEAR_TYPES = 16;

    private final TypePolicy policy;
    private final Peer peer;
    private final EncodeBuffer out = new EncodeBuffer();
    private final EncodedPayload message = new EncodedPayload(out);
    /** What zero-copy values of the last encode hold until their send is over; null when none. */
    private Transfers transfers;
    private int length = -1;
    /** The last slice handed out by {@link #encoded()}, reused while length and buffer are unchanged. */
    private MemorySegment encoded;
    private MemorySegment encodedBase;

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
        this(policy, Peer.LOCAL);
    }

    /**
     * @param policy which records and enums may be encoded
     * @param peer who decodes: decides whether {@code BufferReference}s may travel
     */
    public PayloadEncoder(TypePolicy policy, Peer peer) {
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
        this.peer = java.util.Objects.requireNonNull(peer, "peer");
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
        length = -1;
        out.reset(maxBytes);
        depth = 0;
        typeCount = 0;
        rollbackTransfers();
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
                rollbackTransfers();
            }
            if (typeCount > 0) {
                Arrays.fill(types, 0, Math.min(typeCount, LINEAR_TYPES), null);
            }
            moreTypes = null;
            throwables = null;
        }
        long size = out.size();
        if (out.counting()) {
            rollbackTransfers();
            String why = size <= maxBytes ? " (the encoder buffers at most " + EncodeBuffer.MAX_BUFFER + " bytes)" : "";
            throw new PayloadException("payload " + typeName(value) + " is too large: limit=" + maxBytes
                    + " bytes, actual=" + size + " bytes" + why);
        }
        length = (int) size;
        message.length(length);
        return length;
    }

    /**
     * @return the last successful encode as the ring sender reads it (large bodies still in the
     *     caller's objects); valid until the next encode or {@link #sent()}
     */
    public PayloadSource message() {
        if (length < 0) {
            throw new IllegalStateException("no successful encode since the last call to encode");
        }
        return message;
    }

    /**
     * Drops this encoder's references to the caller's arrays once the last payload was sent (or
     * will not be): {@link #message()} and {@link #encoded()} are invalid afterwards.
     */
    public void sent() {
        out.forgetDeferred();
        length = -1;
    }

    /**
     * Hands over what the last successful encode's zero-copy values hold (pinned shared buffers,
     * moved references): the caller ends it with {@link Transfers#rollback()} if the message is not
     * sent, else with {@link Transfers#settle()} once the call is over.
     *
     * @return the transfers, or null when the value had no zero-copy parts (the common case)
     */
    public Transfers takeTransfers() {
        Transfers t = transfers;
        transfers = null;
        return t;
    }

    private void rollbackTransfers() {
        Transfers t = transfers;
        if (t != null) {
            transfers = null;
            t.rollback();
        }
    }

    private Transfers transfers() {
        Transfers t = transfers;
        if (t == null) {
            t = new Transfers();
            transfers = t;
        }
        return t;
    }

    /** @return bytes {@code [0, length)} of the last successful encode; valid until the next encode */
    public MemorySegment encoded() {
        if (length < 0) {
            throw new IllegalStateException("no successful encode since the last call to encode");
        }
        if (!message.contiguous()) {
            MemorySegment whole = MemorySegment.ofArray(new byte[length]);
            message.copyTo(0, whole, 0, length);
            return whole;
        }
        MemorySegment e = encoded;
        MemorySegment base = out.segment();
        if (e == null || e.byteSize() != length || encodedBase != base) {
            e = base.asSlice(0, length);
            encoded = e;
            encodedBase = base;
        }
        return e;
    }

    /** @return the current scratch buffer size (for tests of the shrink rule) */
    int capacity() {
        return out.capacity();
    }

    // ---------------------------------------------------------------- values

    private void writeValue(Object v) {
        if (v == null) {
            out.tag(Tags.NULL);
        } else if (v instanceof Integer i) {
            out.writeInt(Tags.INT, i);
        } else if (v instanceof String s) {
            out.writeString(s);
        } else {
            writeOther(v);
        }
    }

    private void writeOther(Object v) {
        switch (PayloadKind.of(v.getClass())) {
            case BOOLEAN -> out.tag((Boolean) v ? Tags.TRUE : Tags.FALSE);
            case BYTE -> out.writeByte(Tags.BYTE, (Byte) v);
            case SHORT -> out.writeShort(Tags.SHORT, (Short) v);
            case CHAR -> out.writeShort(Tags.CHAR, (short) (char) (Character) v);
            case INT -> out.writeInt(Tags.INT, (Integer) v);
            case LONG -> out.writeLong(Tags.LONG, (Long) v);
            case FLOAT -> out.writeInt(Tags.FLOAT, Float.floatToRawIntBits((Float) v));
            case DOUBLE -> out.writeLong(Tags.DOUBLE, Double.doubleToRawLongBits((Double) v));
            case STRING -> out.writeString((String) v);
            case BIG_INTEGER -> out.writeBytes(Tags.BIG_INTEGER, ((BigInteger) v).toByteArray());
            case BIG_DECIMAL -> {
                BigDecimal d = (BigDecimal) v;
                out.writeInt(Tags.BIG_DECIMAL, d.scale());
                byte[] unscaled = d.unscaledValue().toByteArray();
                out.writeCount(unscaled.length);
                out.raw(unscaled);
            }
            case BOOLEAN_ARRAY -> out.writeBooleans((boolean[]) v);
            case BYTE_ARRAY -> out.writeBytes(Tags.BYTE_ARRAY, (byte[]) v);
            case SHORT_ARRAY -> out.writeArray(Tags.SHORT_ARRAY, v, ((short[]) v).length, SHORT_LAYOUT);
            case CHAR_ARRAY -> out.writeArray(Tags.CHAR_ARRAY, v, ((char[]) v).length, CHAR_LAYOUT);
            case INT_ARRAY -> out.writeArray(Tags.INT_ARRAY, v, ((int[]) v).length, INT_LAYOUT);
            case LONG_ARRAY -> out.writeArray(Tags.LONG_ARRAY, v, ((long[]) v).length, LONG_LAYOUT);
            case FLOAT_ARRAY -> out.writeArray(Tags.FLOAT_ARRAY, v, ((float[]) v).length, FLOAT_LAYOUT);
            case DOUBLE_ARRAY -> out.writeArray(Tags.DOUBLE_ARRAY, v, ((double[]) v).length, DOUBLE_LAYOUT);
            case BYTE_BUFFER -> out.writeByteBuffer((ByteBuffer) v);
            case LIST -> writeCollection(Tags.LIST, (Collection<?>) v);
            case SET -> writeCollection(Tags.SET, (Collection<?>) v);
            case MAP -> writeMap((Map<?, ?>) v);
            case OPTIONAL -> writeOptional((Optional<?>) v);
            case UUID -> {
                UUID u = (UUID) v;
                out.writeLong(Tags.UUID, u.getMostSignificantBits());
                out.raw64(u.getLeastSignificantBits());
            }
            case ENUM -> writeEnum((Enum<?>) v);
            case RECORD -> writeRecord((Record) v);
            case THROWABLE -> writeThrowable((Throwable) v);
            case ENVELOPE -> writeEnvelope((Envelope<?, ?>) v);
            case SHARED_BUFFER -> writeSharedBuffer((ProcessSharedBuffer) v);
            case BUFFER_REFERENCE -> writeReference((BufferReference) v);
            case MEMORY_SEGMENT -> throw new PayloadException(v.getClass().getName() + " cannot be a payload: a"
                    + " MemorySegment travels only as an Envelope body (copied); share memory with a"
                    + " ProcessSharedBuffer or move it with a BufferReference");
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
                out.writeLong(Tags.INSTANT, t.getEpochSecond());
                out.raw32(t.getNano());
            }
            case Duration d -> {
                out.writeLong(Tags.DURATION, d.getSeconds());
                out.raw32(d.getNano());
            }
            case Period p -> {
                out.writeInt(Tags.PERIOD, p.getYears());
                out.raw32(p.getMonths());
                out.raw32(p.getDays());
            }
            case LocalDate d -> {
                out.tag(Tags.LOCAL_DATE);
                date(d);
            }
            case LocalTime t -> out.writeLong(Tags.LOCAL_TIME, t.toNanoOfDay());
            case LocalDateTime t -> {
                out.tag(Tags.LOCAL_DATE_TIME);
                dateTime(t);
            }
            case OffsetDateTime t -> {
                out.tag(Tags.OFFSET_DATE_TIME);
                dateTime(t.toLocalDateTime());
                out.raw32(t.getOffset().getTotalSeconds());
            }
            case OffsetTime t -> {
                out.writeLong(Tags.OFFSET_TIME, t.toLocalTime().toNanoOfDay());
                out.raw32(t.getOffset().getTotalSeconds());
            }
            case ZonedDateTime t -> {
                out.tag(Tags.ZONED_DATE_TIME);
                dateTime(t.toLocalDateTime());
                out.raw32(t.getOffset().getTotalSeconds());
                out.writeString(t.getZone().getId());
            }
            case ZoneOffset z -> out.writeInt(Tags.ZONE_OFFSET, z.getTotalSeconds());
            case ZoneId z -> {
                out.tag(Tags.ZONE_ID);
                out.writeString(z.getId());
            }
            case Year y -> out.writeInt(Tags.YEAR, y.getValue());
            case YearMonth y -> {
                out.writeInt(Tags.YEAR_MONTH, y.getYear());
                out.raw8(y.getMonthValue());
            }
            case MonthDay m -> {
                out.tag(Tags.MONTH_DAY);
                out.raw8(m.getMonthValue());
                out.raw8(m.getDayOfMonth());
            }
            default -> throw unsupported(v);
        }
    }

    private void date(LocalDate d) {
        out.raw32(d.getYear());
        out.raw8(d.getMonthValue());
        out.raw8(d.getDayOfMonth());
    }

    private void dateTime(LocalDateTime t) {
        date(t.toLocalDate());
        out.raw64(t.toLocalTime().toNanoOfDay());
    }

    // ---------------------------------------------------------------- zero-copy

    private void writeEnvelope(Envelope<?, ?> envelope) {
        enter(envelope);
        out.tag(Tags.ENVELOPE);
        writeValue(envelope.header());
        switch (envelope.body()) {
            case byte[] b -> out.writeBytes(Tags.BYTE_ARRAY, b);
            case ByteBuffer b -> out.writeByteBuffer(b);
            case MemorySegment s -> out.writeSegment(Tags.MEMORY_SEGMENT, s);
            case ProcessSharedBuffer b -> writeSharedBuffer(b);
            case BufferReference r -> writeReference(r);
            default -> throw new PayloadException("Envelope body " + envelope.body().getClass().getName()
                    + " is not a byte[], ByteBuffer, MemorySegment, ProcessSharedBuffer or BufferReference");
        }
        leave();
    }

    private void writeSharedBuffer(ProcessSharedBuffer buffer) {
        ZeroCopyDescriptors.writeSharedBuffer(out, buffer, transfers());
    }

    private void writeReference(BufferReference reference) {
        ZeroCopyDescriptors.writeReference(out, reference, peer, transfers());
    }

    // ---------------------------------------------------------------- containers

    private void writeCollection(byte tag, Collection<?> c) {
        enter(c);
        int n = c.size();
        out.writeInt(tag, n);
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
        out.writeInt(Tags.MAP, n);
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
            out.tag(Tags.OPTIONAL_EMPTY);
            return;
        }
        enter(o);
        out.tag(Tags.OPTIONAL);
        writeValue(o.get());
        leave();
    }

    private void writeEnum(Enum<?> e) {
        EnumCodec codec = policy.enumType(e.getDeclaringClass());
        typeRef(Tags.ENUM, codec.type, codec.name, -1);
        out.writeString(e.name());
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
                    case RecordCodec.K_INT -> out.writeInt(Tags.INT, (int) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_LONG -> out.writeLong(Tags.LONG, (long) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_DOUBLE -> out.writeLong(Tags.DOUBLE,
                            Double.doubleToRawLongBits((double) getters[i].invokeExact((Object) r)));
                    case RecordCodec.K_FLOAT -> out.writeInt(Tags.FLOAT,
                            Float.floatToRawIntBits((float) getters[i].invokeExact((Object) r)));
                    case RecordCodec.K_BOOLEAN -> out.tag((boolean) getters[i].invokeExact((Object) r) ? Tags.TRUE : Tags.FALSE);
                    case RecordCodec.K_BYTE -> writeValue((byte) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_SHORT -> out.writeShort(Tags.SHORT, (short) getters[i].invokeExact((Object) r));
                    case RecordCodec.K_CHAR -> out.writeShort(Tags.CHAR, (short) (char) getters[i].invokeExact((Object) r));
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
            out.writeInt(tag, k);
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
        out.writeInt(tag, k);
        out.writeString(name);
        if (components >= 0) {
            out.raw16(components);
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
                out.writeInt(Tags.THROWABLE_REF, seen);
                return;
            }
        }
        throwables.put(t, throwables.size());
        enter(t);
        out.tag(Tags.THROWABLE);
        if (t.getClass() == RemoteTaskException.class) {
            RemoteTaskException r = (RemoteTaskException) t;
            out.writeString(r.remoteClassName());
            out.writeNullableString(r.remoteMessage());
        } else {
            out.writeString(t.getClass().getName());
            out.writeNullableString(t.getMessage());
        }
        StackTraceElement[] stack = t.getStackTrace();
        out.writeCount(stack.length);
        for (StackTraceElement e : stack) {
            out.writeNullableString(e.getClassLoaderName());
            out.writeNullableString(e.getModuleName());
            out.writeNullableString(e.getModuleVersion());
            out.writeString(e.getClassName());
            out.writeString(e.getMethodName());
            out.writeNullableString(e.getFileName());
            out.raw32(e.getLineNumber());
        }
        Throwable cause = t.getCause();
        if (cause == null) {
            out.tag(Tags.NULL);
        } else {
            writeThrowable(cause);
        }
        Throwable[] suppressed = t.getSuppressed();
        out.writeCount(suppressed.length);
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

}
