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
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;


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
 * count beyond {@value ContainerValues#MAX_PRESIZE} elements (containers, stack traces): nested containers could
 * otherwise each presize from the same remaining bytes; larger ones grow with what was decoded.
 * Sets and maps follow {@link KeyHashLimit} (keys per hash, key depth): no hash flooding. At most
 * {@value ZeroCopyDescriptors#MAX_SHARED_BUFFERS} shared-buffer descriptors are resolved per
 * payload, so one payload holds a bounded number of fds and mappings.
 *
 * <p>Shape: this class walks values and holds the scalars, strings and zero-copy descriptors; each
 * other wire family reads (and writes) in its own class, both directions together:
 * {@link ArrayValues}, {@link ContainerValues}, {@link TimeValues}, {@link TypeRefs} (records and
 * enums), {@link ThrowableValues} and {@link ZeroCopyDescriptors}. A new type touches its family's
 * class and the dispatch here and in {@link PayloadEncoder}.
 *
 * <p>One instance per thread; not thread-safe. Scratch arrays are reused and bounded.
 */
public final class PayloadDecoder {
    private final TypePolicy policy;
    private final Peer peer;
    private final DecodeCursor cur = new DecodeCursor();
    /** The zero-copy objects of the last decode, for the receiver to end; null when none. */
    private Received received;
    private int depth;
    /** How many set elements and map keys enclose the value being decoded. */
    private int keyDepth;
    private int sharedBuffers;

    private final TypeRefs.Reader typeRefs;
    private final ThrowableValues.Reader throwables = new ThrowableValues.Reader(this);

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
        this.typeRefs = new TypeRefs.Reader(this, policy);
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
        typeRefs.reset();
        throwables.reset();
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
            typeRefs.reset();
            throwables.reset();
        }
    }

    // ---------------------------------------------------------------- values

    /** @return the cursor the families read from */
    DecodeCursor cursor() {
        return cur;
    }

    /** Reads any value (the families call back in here for elements and components). */
    Object readValue() {
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
            case Tags.BOOLEAN_ARRAY, Tags.BYTE_ARRAY, Tags.SHORT_ARRAY, Tags.CHAR_ARRAY, Tags.INT_ARRAY, Tags.LONG_ARRAY,
                 Tags.FLOAT_ARRAY, Tags.DOUBLE_ARRAY, Tags.BYTE_BUFFER:
                return ArrayValues.read(cur, tag);
            case Tags.LIST:
                return ContainerValues.readList(this);
            case Tags.SET:
                return ContainerValues.readSet(this);
            case Tags.MAP:
                return ContainerValues.readMap(this);
            case Tags.OPTIONAL_EMPTY:
                return Optional.empty();
            case Tags.OPTIONAL:
                return ContainerValues.readOptional(this);
            case Tags.UUID: {
                long msb = cur.i64();
                return new UUID(msb, cur.i64());
            }
            case Tags.ENUM:
                return typeRefs.readEnum();
            case Tags.RECORD:
                return typeRefs.readRecord();
            case Tags.THROWABLE:
                return throwables.read();
            case Tags.THROWABLE_REF:
                return throwables.readRef();
            case Tags.ENVELOPE:
                return envelope();
            case Tags.SHARED_BUFFER:
                return sharedBuffer();
            case Tags.BUFFER_REFERENCE:
                return reference();
            default:
                return TimeValues.read(cur, tag);
        }
    }

    // ---------------------------------------------------------------- arrays and buffers

    private byte[] magnitude(byte tag) {
        int n = cur.count(1, tag);
        if (n == 0) {
            throw new ProtocolException(Tags.name(tag) + " with zero magnitude bytes before offset " + cur.pos);
        }
        return cur.copyIn(new byte[n], n, ValueLayout.JAVA_BYTE);
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
            case Tags.MEMORY_SEGMENT -> body = ArrayValues.readSegmentBody(cur);
            default -> throw new ProtocolException("ENVELOPE body at offset " + at + " has tag " + Tags.name(tag)
                    + "; expected BYTE_ARRAY, BYTE_BUFFER, MEMORY_SEGMENT, SHARED_BUFFER or BUFFER_REFERENCE");
        }
        leave();
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

    /** Counts one more level of nesting; past {@link Tags#MAX_DEPTH} the payload is rejected. */
    void enter() {
        if (++depth > Tags.MAX_DEPTH) {
            throw new ProtocolException("payload nesting deeper than " + Tags.MAX_DEPTH + " levels at offset " + (cur.pos - 1));
        }
    }

    /** Ends the level {@link #enter} counted. */
    void leave() {
        depth--;
    }

    /**
     * Starts reading the keys of a set or map of {@code n} entries: checks the key depth and counts
     * the keys' level ({@link #closeKeys} undoes it).
     *
     * @return the most keys of one hash this set or map may hold ({@link KeyHashLimit})
     */
    int openKeys(int n, byte tag, long at) {
        int maxPerHash = KeyHashLimit.maxKeysPerHash(keyDepth);
        if (n > 0) {
            KeyHashLimit.checkKeyDepth(keyDepth, tag, at);
        }
        keyDepth++;
        return maxPerHash;
    }

    /** Leaves the keys' level (also while a map's value is read, which is not a key). */
    void closeKeys() {
        keyDepth--;
    }

    /** Enters the keys' level again after a map's value. */
    void reopenKeys() {
        keyDepth++;
    }

}
