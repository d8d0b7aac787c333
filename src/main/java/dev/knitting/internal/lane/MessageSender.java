package dev.knitting.internal.lane;

import static dev.knitting.internal.lane.MessageDescriptor.ABORT_SLOT_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.CALL_ID_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.CODE_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.FLAGS_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.FLAG_FIRST;
import static dev.knitting.internal.lane.MessageDescriptor.FLAG_LAST;
import static dev.knitting.internal.lane.MessageDescriptor.RESERVED_OFFSET;
import static dev.knitting.internal.lane.MessageDescriptor.TOTAL_PAYLOAD_LENGTH_OFFSET;

import dev.knitting.KnittingException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Writes messages ({@link MessageDescriptor} layout) into an {@link MpscRing}. A message whose
 * payload fits one record goes as one record; a larger one is cut into fragments of at most
 * {@link #maxFragmentPayload()} bytes, so any size passes through a small ring with bounded memory.
 *
 * <p>Thread-safe. Fragmented sends are serialized by a lock of this sender, so at most one
 * fragmented message per ring is in progress <em>provided every producer of the ring uses the same
 * sender</em>; unfragmented messages of other threads may sit between its fragments. When the ring
 * is full the sender waits for space (backpressure) with the idle strategy on the ring's space
 * doorbell and checks {@code peerAlive} at least every {@link #PEER_CHECK_NANOS}. Each commit rings
 * the data doorbell.
 */
public final class MessageSender {
    /** Longest wait for ring space between two {@code peerAlive} checks. */
    public static final long PEER_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    // Classes, not lambdas: a cold JVM's first pool makes senders on its start path (no class spun).
    private static final LongConsumer NO_POSITION_LISTENER = new LongConsumer() {
        @Override
        public void accept(long position) {
        }
    };
    private static final Runnable NOTHING = new Runnable() {
        @Override
        public void run() {
        }
    };

    private final MpscRing ring;
    private final IdleStrategy idle;
    private final int maxFragmentPayload;
    private final ReentrantLock fragmentLock = new ReentrantLock();
    private final BooleanSupplier wake;
    private final Runnable wakeWhenFull;

    /**
     * @param ring the ring to write into
     * @param idle how to wait for space
     */
    public MessageSender(MpscRing ring, IdleStrategy idle) {
        this(ring, idle, new RingDoorbell(ring.dataDoorbell()));
    }

    /**
     * @param ring the ring to write into
     * @param idle how to wait for space
     * @param wake called after each commit: wakes whoever consumes (by default the ring's data
     *        doorbell) and answers whether it woke a sleeper; it must issue a full fence before it
     *        reads anything the consumer writes (as {@link Doorbell#ring()} does)
     */
    public MessageSender(MpscRing ring, IdleStrategy idle, BooleanSupplier wake) {
        this(ring, idle, wake, NOTHING);
    }

    /**
     * @param ring the ring to write into
     * @param idle how to wait for space
     * @param wake called after each commit (see above); it may leave a consumer asleep for now
     * @param wakeWhenFull called before waiting for space: must wake every consumer {@code wake}
     *        may have left asleep
     */
    public MessageSender(MpscRing ring, IdleStrategy idle, BooleanSupplier wake, Runnable wakeWhenFull) {
        this.ring = Objects.requireNonNull(ring, "ring");
        this.idle = Objects.requireNonNull(idle, "idle");
        this.wake = Objects.requireNonNull(wake, "wake");
        this.wakeWhenFull = Objects.requireNonNull(wakeWhenFull, "wakeWhenFull");
        this.maxFragmentPayload = ring.maxRecordBodyLength() - MessageDescriptor.HEADER_LENGTH;
    }

    /** @return the most payload bytes one record carries; larger payloads are fragmented */
    public int maxFragmentPayload() {
        return maxFragmentPayload;
    }

    /** @return the ring this sender writes into */
    public MpscRing ring() {
        return ring;
    }

    /**
     * Sends one message, waiting for ring space as long as {@code peerAlive} holds.
     *
     * @param type {@link MessageDescriptor#REQUEST}, {@link MessageDescriptor#RESPONSE} or
     *        {@link MessageDescriptor#BOOTSTRAP}
     * @param callId the call id
     * @param code task id (requests) or status (responses)
     * @param abortSlot abort slot, or {@link MessageDescriptor#NO_ABORT_SLOT}
     * @param payload bytes to send (copied into the ring; any segment kind)
     * @param peerAlive checked while waiting for space
     * @return whether a commit of this message woke a sleeping consumer
     * @throws KnittingException if {@code peerAlive} turns false while waiting for space; fragments
     *     already sent stay in the ring (the lane is closing anyway)
     */
    public boolean send(int type, long callId, int code, int abortSlot, MemorySegment payload,
            BooleanSupplier peerAlive) {
        return send(type, callId, code, abortSlot, payload, peerAlive, NO_POSITION_LISTENER);
    }

    /**
     * {@link #send(int, long, int, int, MemorySegment, BooleanSupplier)} of a {@link PayloadSource}
     * (see {@link #send(int, long, int, int, PayloadSource, BooleanSupplier, BooleanSupplier, LongConsumer)}).
     */
    public boolean send(int type, long callId, int code, int abortSlot, PayloadSource payload,
            BooleanSupplier peerAlive) {
        return send(type, callId, code, abortSlot, payload, peerAlive, peerAlive, NO_POSITION_LISTENER);
    }

    /**
     * {@link #send} that reports the ring position of the message's last record to
     * {@code lastRecordClaimed} after claiming it and before committing it: the consumer can only
     * deliver the message after that call returns.
     *
     * @param lastRecordClaimed receives the position of the record that completes the message
     */
    public boolean send(int type, long callId, int code, int abortSlot, MemorySegment payload,
            BooleanSupplier peerAlive, LongConsumer lastRecordClaimed) {
        return send(type, callId, code, abortSlot, payload, peerAlive, peerAlive, lastRecordClaimed);
    }

    /**
     * {@link #send(int, long, int, int, MemorySegment, BooleanSupplier, LongConsumer)} whose sender
     * may give up while it waits for space for the message's first record: nothing of the message
     * is in the ring then. Once the first record is in, the message is completed as long as
     * {@code peerAlive} holds, since a consumer would read a half message as a corrupt lane.
     *
     * @param stillWanted checked (with {@code peerAlive}) while waiting for the first record's space
     * @throws SendAbandonedException if {@code stillWanted} turned false before the first record
     */
    public boolean send(int type, long callId, int code, int abortSlot, MemorySegment payload,
            BooleanSupplier peerAlive, BooleanSupplier stillWanted, LongConsumer lastRecordClaimed) {
        return send(type, callId, code, abortSlot, PayloadSource.of(Objects.requireNonNull(payload, "payload")),
                peerAlive, stillWanted, lastRecordClaimed);
    }

    /**
     * {@link #send(int, long, int, int, MemorySegment, BooleanSupplier, BooleanSupplier, LongConsumer)}
     * of a payload whose parts may live in several objects: each fragment's bytes are copied
     * straight from {@code payload} into the record claimed for it (one copy, no gathering first).
     * The payload's length is read once.
     */
    public boolean send(int type, long callId, int code, int abortSlot, PayloadSource payload,
            BooleanSupplier peerAlive, BooleanSupplier stillWanted, LongConsumer lastRecordClaimed) {
        if (!MessageDescriptor.isMessageType(type)) {
            throw new IllegalArgumentException("type=" + type + " must be REQUEST=" + MessageDescriptor.REQUEST
                    + ", RESPONSE=" + MessageDescriptor.RESPONSE + ", BOOTSTRAP=" + MessageDescriptor.BOOTSTRAP
                    + " or BATCH_REQUEST=" + MessageDescriptor.BATCH_REQUEST);
        }
        if (abortSlot < MessageDescriptor.NO_ABORT_SLOT) {
            throw new IllegalArgumentException("abortSlot=" + abortSlot + " must be >= -1");
        }
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(peerAlive, "peerAlive");
        Objects.requireNonNull(stillWanted, "stillWanted");
        long total = payload.byteSize();
        if (total <= maxFragmentPayload) {
            return write(type, callId, code, abortSlot, FLAG_FIRST | FLAG_LAST, payload, total, 0, (int) total, peerAlive,
                    stillWanted, lastRecordClaimed);
        }
        fragmentLock.lock();
        try {
            long sent = 0;
            boolean woke = false;
            while (sent < total) {
                int length = (int) Math.min(maxFragmentPayload, total - sent);
                int flags = (sent == 0 ? FLAG_FIRST : 0) | (sent + length == total ? FLAG_LAST : 0);
                woke |= write(type, callId, code, abortSlot, flags, payload, total, sent, length, peerAlive,
                        sent == 0 ? stillWanted : peerAlive,
                        (flags & FLAG_LAST) != 0 ? lastRecordClaimed : NO_POSITION_LISTENER);
                sent += length;
            }
            return woke;
        } finally {
            fragmentLock.unlock();
        }
    }

    private boolean write(int type, long callId, int code, int abortSlot, int flags, PayloadSource payload,
            long total, long from, int length, BooleanSupplier peerAlive, BooleanSupplier stillWanted, LongConsumer claimed) {
        long position = claim(type, MessageDescriptor.HEADER_LENGTH + length, peerAlive, stillWanted);
        long record = ring.offsetOf(position);
        MemorySegment region = ring.region();
        long body = record + RecordDescriptor.BODY_OFFSET;
        try {
            region.set(ValueLayout.JAVA_LONG, body + CALL_ID_OFFSET, callId);
            region.set(ValueLayout.JAVA_INT, body + CODE_OFFSET, code);
            region.set(ValueLayout.JAVA_INT, body + ABORT_SLOT_OFFSET, abortSlot);
            region.set(ValueLayout.JAVA_INT, body + FLAGS_OFFSET, flags);
            region.set(ValueLayout.JAVA_INT, body + RESERVED_OFFSET, 0);
            region.set(ValueLayout.JAVA_LONG, body + TOTAL_PAYLOAD_LENGTH_OFFSET, total);
            payload.copyTo(from, region, body + MessageDescriptor.PAYLOAD_OFFSET, length);
            claimed.accept(position);
        } catch (RuntimeException | Error e) {
            ring.abandon(record);
            ring.dataDoorbell().ring();
            throw e;
        }
        ring.commit(record);
        return wake.getAsBoolean();
    }

    /** Claims a record, waiting for space; answers its position. */
    private long claim(int type, int bodyLength, BooleanSupplier peerAlive, BooleanSupplier stillWanted) {
        long record = ring.tryClaimPosition(type, bodyLength);
        while (record == MpscRing.INSUFFICIENT_CAPACITY) {
            // Read the head before retrying, so any progress after the failed claim counts as ready.
            long head = ring.headPosition();
            record = ring.tryClaimPosition(type, bodyLength);
            if (record != MpscRing.INSUFFICIENT_CAPACITY) {
                break;
            }
            if (!peerAlive.getAsBoolean()) {
                throw new KnittingException("lane closed while waiting for ring space");
            }
            if (!stillWanted.getAsBoolean()) {
                throw new SendAbandonedException();
            }
            ring.dataDoorbell().ring(); // a consumer that was left asleep must drain, or we wait forever
            wakeWhenFull.run();
            idle.await(new HeadMoved(ring, head), ring.spaceDoorbell(), PEER_CHECK_NANOS);
            record = ring.tryClaimPosition(type, bodyLength);
        }
        return record;
    }

    /** The default wake: rings the ring's data doorbell. */
    private record RingDoorbell(Doorbell doorbell) implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return doorbell.ring();
        }
    }

    /** What ends a wait for ring space: the consumer moved the head past {@code head}. */
    private record HeadMoved(MpscRing ring, long head) implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return ring.headPosition() != head;
        }
    }
}
