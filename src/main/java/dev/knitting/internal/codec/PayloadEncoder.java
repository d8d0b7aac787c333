package dev.knitting.internal.codec;

import dev.knitting.Envelope;
import dev.knitting.PayloadException;
import dev.knitting.internal.lane.PayloadSource;
import dev.knitting.internal.share.Transfers;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;


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
 *
 * <p>Shape: this class walks values and writes scalars, strings and envelopes; each other wire
 * family writes (and reads) in its own class, both directions together: {@link ArrayValues},
 * {@link ContainerValues}, {@link TimeValues}, {@link TypeRefs} (records and enums),
 * {@link ThrowableValues} and {@link ZeroCopyDescriptors}.
 */
public final class PayloadEncoder {
    static final int SHRINK_ABOVE = EncodeBuffer.SHRINK_ABOVE;

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
    private final TypeRefs.Writer typeRefs;
    private final ThrowableValues.Writer throwables = new ThrowableValues.Writer(this);

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
        this.typeRefs = new TypeRefs.Writer(this, policy);
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
        typeRefs.reset();
        throwables.reset();
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
            typeRefs.reset();
            throwables.reset();
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

    /** @return the buffer the families write into */
    EncodeBuffer out() {
        return out;
    }

    /** Writes any value (the families call back in here for elements and components). */
    void writeValue(Object v) {
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
        PayloadKind kind = PayloadKind.of(v.getClass());
        switch (kind) {
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
            case BOOLEAN_ARRAY, BYTE_ARRAY, SHORT_ARRAY, CHAR_ARRAY, INT_ARRAY, LONG_ARRAY, FLOAT_ARRAY, DOUBLE_ARRAY,
                 BYTE_BUFFER -> ArrayValues.write(out, kind, v);
            case LIST -> ContainerValues.writeCollection(this, Tags.LIST, (Collection<?>) v);
            case SET -> ContainerValues.writeCollection(this, Tags.SET, (Collection<?>) v);
            case MAP -> ContainerValues.writeMap(this, (Map<?, ?>) v);
            case OPTIONAL -> ContainerValues.writeOptional(this, (Optional<?>) v);
            case UUID -> {
                UUID u = (UUID) v;
                out.writeLong(Tags.UUID, u.getMostSignificantBits());
                out.raw64(u.getLeastSignificantBits());
            }
            case ENUM -> typeRefs.writeEnum((Enum<?>) v);
            case RECORD -> typeRefs.writeRecord((Record) v);
            case THROWABLE -> throwables.write((Throwable) v);
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
            default -> {
                if (!TimeValues.write(out, v)) {
                    throw unsupported(v);
                }
            }
        }
    }

    private PayloadException unsupported(Object v) {
        return new PayloadException(v.getClass().getName() + " cannot be a payload: it is not a supported type."
                + " Supported: null, Boolean, Byte, Short, Character, Integer, Long, Float, Double, BigInteger,"
                + " BigDecimal, String, primitive arrays, ByteBuffer, List, Set, Map, Optional, UUID,"
                + " java.time values, Throwable, and records and enums whose package is allowed (allowed"
                + " packages: " + policy.allowedList() + ")");
    }

    // ---------------------------------------------------------------- zero-copy

    private void writeEnvelope(Envelope<?, ?> envelope) {
        enter(envelope);
        out.tag(Tags.ENVELOPE);
        writeValue(envelope.header());
        switch (envelope.body()) {
            case byte[] b -> ArrayValues.write(out, PayloadKind.BYTE_ARRAY, b);
            case ByteBuffer b -> ArrayValues.write(out, PayloadKind.BYTE_BUFFER, b);
            case MemorySegment s -> ArrayValues.writeSegmentBody(out, s);
            case ProcessSharedBuffer b -> writeSharedBuffer(b);
            case BufferReference r -> writeReference(r);
            default -> throw new PayloadException("Envelope body " + envelope.body().getClass().getName()
                    + " is not a byte[], ByteBuffer, MemorySegment, ProcessSharedBuffer or BufferReference");
        }
        leave();
    }

    private void writeSharedBuffer(ProcessSharedBuffer buffer) {
        ZeroCopyDescriptors.writeSharedBuffer(out, buffer, peer, transfers());
    }

    private void writeReference(BufferReference reference) {
        ZeroCopyDescriptors.writeReference(out, reference, peer, transfers());
    }

    /** Pushes a container on the current path: checks the depth bound and identity cycles. */
    void enter(Object container) {
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

    /** Pops the container {@link #enter} pushed. */
    void leave() {
        path[--depth] = null;
    }

    private static String typeName(Object v) {
        return v == null ? "null" : v.getClass().getName();
    }

}
