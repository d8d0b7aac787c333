package dev.knitting.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.knitting.ProtocolException;
import dev.knitting.internal.host.PoolConfig;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.lane.RingDescriptor;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.worker.ResponseEncoding;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Fuzz target: the host's {@link MessageReceiver} polling a response ring whose memory a process
 * worker controls: head and tail positions, record headers, message headers and payload bytes, and
 * writes to any of them while the host is handling a message.
 *
 * <h2>Input</h2>
 * A sequence of rounds on one ring of {@value #CAPACITY} data bytes and one receiver (so a
 * fragmented message may span rounds), little-endian, until the input ends (missing bytes read as
 * zero):
 * <pre>
 * u8  control     limit = 1 + (control &amp; 63) records for this round's poll;
 *                 bit 7 set: i64 head, i64 tail follow (absolute positions, anything at all);
 *                 bit 7 clear: u16 n follows and the tail is set to the current head + n
 * u16 length      then length bytes (at most the capacity), written into the data area from the
 *                 head's index on, wrapping at its end: the records a worker would have written
 * ...             one u8 per message delivered in this round: 0 does nothing, k &gt; 0 writes the
 *                 next i64 at region offset 8 * (k - 1) mod the region size (header included)
 * </pre>
 * Valid images are records ({@code RecordDescriptor}) holding messages ({@code MessageDescriptor})
 * from the head on, the tail just past them.
 *
 * <h2>Contract</h2>
 * Each poll returns at most its limit or throws {@link ProtocolException}, never another exception;
 * every message delivered has a message type, an abort slot of at least -1, at most
 * {@code maxPayloadBytes} bytes and, when it is a slice of the ring, lies inside the data area; an
 * input's polls allocate at most {@link #allocationBudget}: the fragment buffer must grow with the
 * fragments that arrived, not with the total a first fragment announces.
 */
class MessageReceiverFuzzTest {
    static final int CAPACITY = RingDescriptor.MIN_CAPACITY;
    /** The host's limit for answers of a pool with the default maximum payload. */
    static final long MAX_PAYLOAD_BYTES =
            Math.max(PoolConfig.DEFAULT_MAX_PAYLOAD_BYTES, ResponseEncoding.FAILURE_PAYLOAD_FLOOR);
    /** Rounds of one input: polls of one receiver. */
    static final int ROUNDS = 16;
    static final int MAX_INPUT_BYTES = 8 << 10;
    private static final long REGION_BYTES = RingDescriptor.regionBytes(CAPACITY);
    private static final MemorySegment REGION =
            Arena.global().allocate(REGION_BYTES, RingDescriptor.REGION_ALIGNMENT);

    @FuzzTest
    void pollsAnyRingImage(byte[] input) {
        if (input.length > MAX_INPUT_BYTES) {
            return;
        }
        AllocationMeter.withinBudget(allocationBudget(input.length), "polling " + input.length + " bytes of ring images",
                () -> replay(input));
    }

    /**
     * What the polls of one input of {@code length} bytes may allocate: exceptions and slices, and a
     * reassembly buffer that grows with the fragment bytes that arrived (at most {@code length}),
     * never with the total a first fragment announces.
     */
    static long allocationBudget(int length) {
        return (256L << 10) + 16L * length;
    }

    /** How the rounds of one input ended: messages delivered, polls rejected with a ProtocolException. */
    record Outcome(int delivered, int rejected) { }

    /** Plays the rounds of {@code input} on a fresh ring and receiver, checking the contract. */
    static Outcome replay(byte[] input) {
        MpscRing.format(REGION, CAPACITY);
        MpscRing ring = MpscRing.attach(REGION, Waiter.platform());
        MessageReceiver receiver = new MessageReceiver(ring, MAX_PAYLOAD_BYTES);
        FuzzBytes in = new FuzzBytes(input);
        int[] delivered = {0};
        int rejected = 0;
        for (int round = 0; round < ROUNDS && in.hasMore(); round++) {
            int limit = writeRound(in);
            try {
                int consumed = receiver.poll((type, callId, code, abortSlot, payload) -> {
                    checkMessage(type, abortSlot, payload);
                    delivered[0]++;
                    peerWrites(in);
                }, limit);
                if (consumed < 0 || consumed > limit) {
                    throw new AssertionError("poll(limit=" + limit + ") returned " + consumed);
                }
            } catch (ProtocolException expected) {
                // The documented answer to a corrupt ring; the next round polls the same receiver.
                rejected++;
            }
        }
        return new Outcome(delivered[0], rejected);
    }

    /** Writes one round's positions and records; returns the poll's limit. */
    private static int writeRound(FuzzBytes in) {
        int control = in.u8();
        long head;
        long tail;
        if ((control & 0x80) != 0) {
            head = in.i64();
            tail = in.i64();
        } else {
            head = REGION.get(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET);
            tail = head + in.u16();
        }
        REGION.set(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET, head);
        REGION.set(ValueLayout.JAVA_LONG, RingDescriptor.TAIL_POSITION_OFFSET, tail);
        byte[] records = in.bytes(Math.min(in.u16(), CAPACITY));
        int index = (int) (head & (CAPACITY - 1));
        for (byte b : records) {
            REGION.set(ValueLayout.JAVA_BYTE, RingDescriptor.DATA_OFFSET + index, b);
            index = (index + 1) & (CAPACITY - 1);
        }
        return 1 + (control & 63);
    }

    /** A worker writing anywhere in the ring while the host handles a message. */
    private static void peerWrites(FuzzBytes in) {
        int k = in.u8();
        if (k != 0) {
            long offset = (8L * (k - 1)) % REGION_BYTES;
            REGION.set(ValueLayout.JAVA_LONG, offset, in.i64());
        }
    }

    private static void checkMessage(int type, int abortSlot, MemorySegment payload) {
        if (!MessageDescriptor.isMessageType(type)) {
            throw new AssertionError("delivered a message of type " + type);
        }
        if (abortSlot < MessageDescriptor.NO_ABORT_SLOT) {
            throw new AssertionError("delivered a message with abortSlot=" + abortSlot);
        }
        if (payload.byteSize() > MAX_PAYLOAD_BYTES) {
            throw new AssertionError("delivered " + payload.byteSize() + " payload bytes, more than maxPayloadBytes="
                    + MAX_PAYLOAD_BYTES);
        }
        if (payload.isNative()) {
            long start = payload.address() - REGION.address();
            long end = start + payload.byteSize();
            if (start < RingDescriptor.DATA_OFFSET || end > REGION_BYTES) {
                throw new AssertionError("delivered a ring slice [" + start + ", " + end + ") outside the data area ["
                        + RingDescriptor.DATA_OFFSET + ", " + REGION_BYTES + ")");
            }
        }
    }
}
