package dev.knitting.internal.lane;

import static dev.knitting.internal.lane.MessageDescriptor.ABORT_SLOT_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.CALL_ID_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.CODE_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.FLAGS_MASK;
import static dev.knitting.internal.lane.MessageDescriptor.FLAGS_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.FLAG_FIRST;
import static dev.knitting.internal.lane.MessageDescriptor.FLAG_LAST;
import static dev.knitting.internal.lane.MessageDescriptor.TOTAL_PAYLOAD_LENGTH_OFFSET;

import dev.knitting.ProtocolException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Reads messages ({@link MessageDescriptor} layout) from an {@link MpscRing}: the ring's one
 * consumer. An unfragmented message is delivered as a slice of ring memory (zero copy); fragments
 * are copied into a reusable buffer and the message is delivered once its last fragment arrived.
 * A buffer of up to {@link #KEEP_BUFFER_BYTES} is kept for good; a larger one is kept while large
 * messages keep coming, so a stream of them is reassembled without allocating (and zeroing) a new
 * buffer per message, and dropped once a {@link #poll} finds the ring empty
 * {@link #IDLE_RELEASE_NANOS} after its last use (or at once after a rejected record). The
 * consumers poll at every park slice when idle (see {@link IdleSlices}), so an idle lane holds at
 * most {@code KEEP_BUFFER_BYTES} of reassembly memory per direction a few seconds after that.
 *
 * <p>The total a first fragment announces is never believed: the buffer grows with the bytes that
 * actually arrived (from 64 KiB or the first fragment, doubling, never past the total), so a peer
 * announcing {@code maxPayloadBytes} and sending one fragment costs this side at most that first
 * step, not the announced total; reassembling n bytes allocates and copies O(n).
 *
 * <p>Every record is validated: type, header length against record length, flags, fragment order,
 * the same call id, type, code, abort slot and total length across fragments, and the total within
 * {@code maxPayloadBytes}. A continuation fragment with no message started is <em>rejected</em>
 * ({@link ProtocolException}), as is a new first fragment while another message is incomplete.
 * After any rejection the partial message is discarded; the bad record is consumed (the ring
 * consumes a record before its handler runs).
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class MessageReceiver {
    /**
     * Reassembly buffers larger than this are released after their message is delivered. Twice
     * the default ring, so a stream of 1 MiB payloads (1 MiB plus a few header bytes each) reuses
     * one buffer instead of growing a new one, with its copies, per message.
     */
    public static final long KEEP_BUFFER_BYTES = 2 << 20;
    /**
     * How long a buffer larger than {@link #KEEP_BUFFER_BYTES} is kept after the message that last
     * used it, while the ring stays empty: long enough for a pipeline that sends a large message
     * every few hundred milliseconds to reassemble each into the same buffer. The consumers poll
     * at every park slice ({@code IdlePolicy.maxPark}, 250 ms by default, then backing off: see
     * {@link IdleSlices}), so an idle lane lets go of it within about 1.75 s.
     */
    public static final long IDLE_RELEASE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The first reassembly buffer, unless the first fragment needs more or the total is smaller. */
    private static final long FIRST_BUFFER_BYTES = 64 << 10;

    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

    private final MpscRing ring;
    private final long maxPayloadBytes;
    // Classes, not lambdas: a cold JVM's first pool makes receivers on its start path (no class spun).
    private final RecordHandler recordHandler = new RecordHandler() {
        @Override
        public void onRecord(int type, MemorySegment region, long bodyOffset, int bodyLength) {
            MessageReceiver.this.onRecord(type, region, bodyOffset, bodyLength);
        }
    };
    private final LongSupplier nanoClock;

    private MessageHandler handler;
    private MemorySegment buffer;
    private boolean assembling;
    private int partialType;
    private long partialCallId;
    private int partialCode;
    private int partialAbortSlot;
    private long partialTotal;
    private long received;
    /** When a buffer larger than {@link #KEEP_BUFFER_BYTES} last delivered a message ({@link #nanoClock}). */
    private long largeBufferLastUsed;

    /**
     * @param ring the ring to consume
     * @param maxPayloadBytes largest total payload accepted
     */
    public MessageReceiver(MpscRing ring, long maxPayloadBytes) {
        this(ring, maxPayloadBytes, SystemClock.INSTANCE);
    }

    /** As above, with the clock that times the release of an idle large buffer (tests). */
    MessageReceiver(MpscRing ring, long maxPayloadBytes, LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.ring = Objects.requireNonNull(ring, "ring");
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException("maxPayloadBytes=" + maxPayloadBytes + " must not be negative");
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** @return the ring this receiver consumes */
    public MpscRing ring() {
        return ring;
    }

    /**
     * @return the ring position of the record that completed the message being delivered; valid
     *         inside a {@link MessageHandler} callback. Messages are delivered in this order.
     */
    public long deliveredPosition() {
        return ring.currentPosition();
    }

    /** @return bytes of the reassembly buffer held now (0 when none): what announced totals cost */
    long bufferCapacity() {
        return buffer == null ? 0 : buffer.byteSize();
    }

    /** @return whether a fragmented message has started and not ended */
    public boolean isAssembling() {
        return assembling;
    }

    /**
     * Consumes up to {@code limit} records, delivering every message they complete.
     *
     * @param handler receives complete messages
     * @param limit most records (fragments count one each) to consume, positive
     * @return records consumed; positive means progress even when no message completed yet
     * @throws ProtocolException on a malformed record or message (see the class comment)
     */
    public int poll(MessageHandler handler, int limit) {
        this.handler = Objects.requireNonNull(handler, "handler");
        int handled;
        try {
            handled = ring.read(recordHandler, limit);
        } finally {
            this.handler = null;
        }
        if (handled == 0 && !assembling && buffer != null && buffer.byteSize() > KEEP_BUFFER_BYTES
                && nanoClock.getAsLong() - largeBufferLastUsed > IDLE_RELEASE_NANOS) {
            buffer = null; // idle: a large buffer is not held for good
        }
        return handled;
    }

    private void onRecord(int type, MemorySegment region, long bodyOffset, int bodyLength) {
        try {
            handleRecord(type, region, bodyOffset, bodyLength);
        } catch (ProtocolException e) {
            reset();
            if (buffer != null && buffer.byteSize() > KEEP_BUFFER_BYTES) {
                buffer = null; // nothing large is kept for a peer that sends bad records
            }
            throw e;
        }
    }

    private void handleRecord(int type, MemorySegment region, long bodyOffset, int bodyLength) {
        if (!MessageDescriptor.isMessageType(type)) {
            throw reject(bodyOffset, "type=" + type + " is not REQUEST, RESPONSE, BOOTSTRAP or BATCH_REQUEST");
        }
        if (bodyLength < MessageDescriptor.HEADER_LENGTH) {
            throw reject(bodyOffset, "record body of " + bodyLength + " bytes is shorter than the message header ("
                    + MessageDescriptor.HEADER_LENGTH + ")");
        }
        long callId = region.get(ValueLayout.JAVA_LONG, bodyOffset + CALL_ID_OFFSET);
        int code = region.get(ValueLayout.JAVA_INT, bodyOffset + CODE_OFFSET);
        int abortSlot = region.get(ValueLayout.JAVA_INT, bodyOffset + ABORT_SLOT_OFFSET);
        int flags = region.get(ValueLayout.JAVA_INT, bodyOffset + FLAGS_OFFSET);
        long total = region.get(ValueLayout.JAVA_LONG, bodyOffset + TOTAL_PAYLOAD_LENGTH_OFFSET);
        int fragment = bodyLength - MessageDescriptor.HEADER_LENGTH;
        long payloadOffset = bodyOffset + MessageDescriptor.PAYLOAD_OFFSET;

        if ((flags & ~FLAGS_MASK) != 0) {
            throw reject(bodyOffset, "flags=" + flags + " has unknown bits");
        }
        if (abortSlot < MessageDescriptor.NO_ABORT_SLOT) {
            throw reject(bodyOffset, "abortSlot=" + abortSlot + " is below -1");
        }
        if (total < 0 || total > maxPayloadBytes) {
            throw reject(bodyOffset, "totalPayloadLength=" + total + " is outside [0, maxPayloadBytes="
                    + maxPayloadBytes + "]");
        }
        boolean first = (flags & FLAG_FIRST) != 0;
        boolean last = (flags & FLAG_LAST) != 0;
        if (first && last) {
            if (fragment != total) {
                throw reject(bodyOffset, "unfragmented message carries " + fragment + " payload bytes but totalPayloadLength="
                        + total);
            }
            handler.onMessage(type, callId, code, abortSlot, region.asSlice(payloadOffset, fragment));
            return;
        }
        if (first) {
            if (assembling) {
                throw reject(bodyOffset, "first fragment of callId=" + callId + " while callId=" + partialCallId
                        + " is incomplete (" + received + "/" + partialTotal + " bytes)");
            }
            if (fragment == 0 || fragment >= total) {
                throw reject(bodyOffset, "first fragment of " + fragment + " bytes is empty or not shorter than totalPayloadLength="
                        + total);
            }
            ensureCapacity(fragment, total);
            MemorySegment.copy(region, payloadOffset, buffer, 0, fragment);
            assembling = true;
            partialType = type;
            partialCallId = callId;
            partialCode = code;
            partialAbortSlot = abortSlot;
            partialTotal = total;
            received = fragment;
            return;
        }
        if (!assembling) {
            throw reject(bodyOffset, "continuation fragment of callId=" + callId + " (flags=" + flags
                    + ") without a first fragment");
        }
        if (type != partialType || callId != partialCallId || code != partialCode || abortSlot != partialAbortSlot
                || total != partialTotal) {
            throw reject(bodyOffset, "fragment (type=" + type + ", callId=" + callId + ", code=" + code + ", abortSlot="
                    + abortSlot + ", total=" + total + ") does not continue (type=" + partialType + ", callId="
                    + partialCallId + ", code=" + partialCode + ", abortSlot=" + partialAbortSlot + ", total="
                    + partialTotal + ")");
        }
        long end = received + fragment;
        if (fragment == 0 || end > total || (last ? end != total : end == total)) {
            throw reject(bodyOffset, (last ? "last" : "middle") + " fragment of " + fragment + " bytes after " + received
                    + " does not fit totalPayloadLength=" + total);
        }
        ensureCapacity(end, total);
        MemorySegment.copy(region, payloadOffset, buffer, received, fragment);
        received = end;
        if (last) {
            try {
                handler.onMessage(type, callId, code, abortSlot, buffer.asSlice(0, total));
            } finally {
                reset();
            }
        }
    }

    /**
     * Makes the buffer hold at least {@code needed} bytes of a message of {@code total}, keeping the
     * {@link #received} bytes already in it: doubling from what is there, so capacity stays below
     * twice what arrived (or the first step) and the copies sum to less than the total. A buffer of
     * up to {@link #KEEP_BUFFER_BYTES} is kept for the next message.
     */
    private void ensureCapacity(long needed, long total) {
        long capacity = buffer == null ? 0 : buffer.byteSize();
        if (capacity >= needed) {
            return;
        }
        // Doubling from what arrived, never past the announced total: a peer that announces much
        // and sends little makes the host allocate at most twice what it sent (or one first step).
        long size = Math.min(total, Math.max(needed, Math.max(2 * capacity, FIRST_BUFFER_BYTES)));
        MemorySegment grown = size <= MAX_ARRAY_BYTES ? MemorySegment.ofArray(new byte[(int) size])
                : Arena.ofAuto().allocate(size, Long.BYTES);
        if (received > 0) {
            MemorySegment.copy(buffer, 0, grown, 0, received);
        }
        buffer = grown;
    }

    private void reset() {
        assembling = false;
        received = 0;
        partialTotal = 0;
        if (buffer != null && buffer.byteSize() > KEEP_BUFFER_BYTES) {
            largeBufferLastUsed = nanoClock.getAsLong();
        }
    }

    private ProtocolException reject(long bodyOffset, String what) {
        return new ProtocolException("message record at offset " + (bodyOffset - RecordDescriptor.BODY_OFFSET)
                + " of the ring region: " + what);
    }

    /** {@link System#nanoTime}. */
    private static final class SystemClock implements LongSupplier {
        static final SystemClock INSTANCE = new SystemClock();

        @Override
        public long getAsLong() {
            return System.nanoTime();
        }
    }
}
