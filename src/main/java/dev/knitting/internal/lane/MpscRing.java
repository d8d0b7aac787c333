package dev.knitting.internal.lane;

import static dev.knitting.internal.lane.RecordDescriptor.HEADER_LENGTH;
import static dev.knitting.internal.lane.RecordDescriptor.LENGTH_OFFSET;
import static dev.knitting.internal.lane.RecordDescriptor.PADDING_TYPE;
import static dev.knitting.internal.lane.RecordDescriptor.TYPE_OFFSET;
import static dev.knitting.internal.lane.RecordDescriptor.align;
import static dev.knitting.internal.lane.RingDescriptor.CAPACITY_OFFSET;
import static dev.knitting.internal.lane.RingDescriptor.DATA_OFFSET;
import static dev.knitting.internal.lane.RingDescriptor.HEAD_POSITION_OFFSET;
import static dev.knitting.internal.lane.RingDescriptor.TAIL_POSITION_OFFSET;

import dev.knitting.ProtocolException;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A many-producer, one-consumer ring of variable-length records over a shared-memory region
 * ({@link RingDescriptor} and {@link RecordDescriptor} layouts).
 *
 * <p>Producers (any thread of one process) claim space by advancing the tail with compareAndSet,
 * write the record header with the length negated, fill the body and {@link #commit} by storing
 * the positive length with a release store. A claim that would straddle the end of the data area
 * first writes a padding record up to the end. The one consumer reads complete records in order
 * from the head, zeroes the bytes it consumed and publishes the new head with a release store once
 * per batch. Non-blocking on both sides: waiting is the caller's business, with the two
 * {@link Doorbell}s.
 *
 * <p>Everything read from the region is validated (positions, lengths, types); a corrupt or hostile
 * peer yields {@link ProtocolException}, never an out-of-bounds access. One instance may serve both
 * sides in one process; several instances may attach the same region (one consumer in total).
 */
public final class MpscRing {
    /** {@link #tryClaim} result when there is no room now. */
    public static final long INSUFFICIENT_CAPACITY = -1;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior(); // a mistyped call site fails, never adapts per call
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final MemorySegment region;
    private final int capacity;
    private final int mask;
    private final int maxRecordLength;
    private final Doorbell dataDoorbell;
    private final Doorbell spaceDoorbell;
    /** Consumer-local: the last tail seen, to validate records without reading the tail each time. */
    private long currentPosition = -1;
    private long consumerTailCache;

    private MpscRing(MemorySegment region, int capacity, Waiter waiter) {
        this.region = region;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxRecordLength = capacity / RingDescriptor.MAX_RECORD_DIVISOR;
        this.dataDoorbell = new Doorbell(region, RingDescriptor.DATA_DOORBELL_OFFSET, waiter);
        this.spaceDoorbell = new Doorbell(region, RingDescriptor.SPACE_DOORBELL_OFFSET, waiter);
    }

    /**
     * Zeroes the region's header and data area and writes the capacity (release store).
     *
     * @param region native memory, 128-byte aligned, at least {@link RingDescriptor#regionBytes} long
     * @param capacity data area bytes, a power of two
     */
    public static void format(MemorySegment region, int capacity) {
        long bytes = RingDescriptor.regionBytes(capacity);
        checkRegion(region, bytes);
        region.asSlice(0, bytes).fill((byte) 0);
        INT.setRelease(region, (long) CAPACITY_OFFSET, capacity);
    }

    /**
     * Attaches to a formatted region.
     *
     * @param region the region, 128-byte aligned
     * @param waiter how doorbells sleep and wake
     * @return a ring over {@code region}, limited to its header and data area
     * @throws ProtocolException if the capacity in the region is bad or the region is too small
     */
    public static MpscRing attach(MemorySegment region, Waiter waiter) {
        Objects.requireNonNull(waiter, "waiter");
        checkRegion(region, RingDescriptor.HEADER_LENGTH);
        int capacity = (int) INT.getAcquire(region, (long) CAPACITY_OFFSET);
        if (!RingDescriptor.isValidCapacity(capacity)) {
            throw new ProtocolException("ring region at offset " + CAPACITY_OFFSET + ": capacity=" + capacity
                    + " is not a power of two in [" + RingDescriptor.MIN_CAPACITY + ", "
                    + RingDescriptor.MAX_CAPACITY + "]");
        }
        long bytes = RingDescriptor.regionBytes(capacity);
        if (region.byteSize() < bytes) {
            throw new ProtocolException("ring region of " + region.byteSize() + " bytes is too small for capacity="
                    + capacity + " (needs " + bytes + ")");
        }
        return new MpscRing(region.asSlice(0, bytes), capacity, waiter);
    }

    private static void checkRegion(MemorySegment region, long minBytes) {
        Objects.requireNonNull(region, "region");
        if (!region.isNative() || (region.address() & (RingDescriptor.REGION_ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("ring region must be native and " + RingDescriptor.REGION_ALIGNMENT
                    + "-byte aligned: " + region);
        }
        if (region.byteSize() < minBytes) {
            throw new IllegalArgumentException("ring region of " + region.byteSize() + " bytes needs " + minBytes);
        }
    }

    /** @return data area bytes */
    public int capacity() {
        return capacity;
    }

    /** @return the largest body one record may carry: capacity / 8 minus the record header */
    public int maxRecordBodyLength() {
        return maxRecordLength - HEADER_LENGTH;
    }

    /** @return the region (header and data area); record offsets are relative to it */
    public MemorySegment region() {
        return region;
    }

    /** @return the doorbell the consumer sleeps on; producers ring it after commit */
    public Doorbell dataDoorbell() {
        return dataDoorbell;
    }

    /** @return the doorbell producers sleep on when full; the consumer rings it after freeing */
    public Doorbell spaceDoorbell() {
        return spaceDoorbell;
    }

    /** @return the head position (acquire) */
    public long headPosition() {
        return (long) LONG.getAcquire(region, (long) HEAD_POSITION_OFFSET);
    }

    /** @return the tail position (acquire) */
    public long tailPosition() {
        return (long) LONG.getAcquire(region, (long) TAIL_POSITION_OFFSET);
    }

    // ---------------------------------------------------------------- producer side

    /**
     * Claims space for one record and writes its header as claimed. Never blocks.
     *
     * @param type message type, {@code >= 1}
     * @param bodyLength body bytes, in [0, {@link #maxRecordBodyLength()}]
     * @return the record offset in {@link #region()}; the body starts at
     *     {@code offset + RecordDescriptor.BODY_OFFSET}; or {@link #INSUFFICIENT_CAPACITY}
     * @throws ProtocolException if the positions in the region are corrupt
     */
    public long tryClaim(int type, int bodyLength) {
        long position = tryClaimPosition(type, bodyLength);
        return position == INSUFFICIENT_CAPACITY ? INSUFFICIENT_CAPACITY : offsetOf(position);
    }

    /**
     * {@link #tryClaim} that answers the record's absolute position in the ring's history
     * (positions only grow; the consumer reads records in position order). Pass
     * {@link #offsetOf(long)} of it to {@link #commit} and {@link #abandon}.
     *
     * @return the record's position, or {@link #INSUFFICIENT_CAPACITY}
     */
    public long tryClaimPosition(int type, int bodyLength) {
        if (type < RecordDescriptor.MIN_MESSAGE_TYPE) {
            throw new IllegalArgumentException("type=" + type + " must be >= " + RecordDescriptor.MIN_MESSAGE_TYPE);
        }
        if (bodyLength < 0 || bodyLength > maxRecordBodyLength()) {
            throw new IllegalArgumentException("bodyLength=" + bodyLength + " must be in [0, "
                    + maxRecordBodyLength() + "]");
        }
        int recordLength = HEADER_LENGTH + bodyLength;
        int required = align(recordLength);
        while (true) {
            long tail = (long) LONG.getVolatile(region, (long) TAIL_POSITION_OFFSET);
            long head = (long) LONG.getVolatile(region, (long) HEAD_POSITION_OFFSET);
            if (head > tail) {
                // The consumer may have consumed records claimed after our tail read: re-read.
                if ((long) LONG.getVolatile(region, (long) TAIL_POSITION_OFFSET) == tail) {
                    throw corruptPositions(head, tail);
                }
                continue;
            }
            if (((head | tail) & (RecordDescriptor.ALIGNMENT - 1)) != 0 || head < 0 || tail - head > capacity) {
                throw corruptPositions(head, tail);
            }
            if (required > capacity - (tail - head)) {
                return INSUFFICIENT_CAPACITY;
            }
            int tailIndex = (int) tail & mask;
            int toEnd = capacity - tailIndex;
            int padding = 0;
            if (required > toEnd) {
                // Wrap: the record goes to index 0, which is free up to the head index.
                if (required > ((int) head & mask)) {
                    return INSUFFICIENT_CAPACITY;
                }
                padding = toEnd;
            }
            if (LONG.compareAndSet(region, (long) TAIL_POSITION_OFFSET, tail, tail + padding + required)) {
                if (padding != 0) {
                    long paddingOffset = DATA_OFFSET + tailIndex;
                    INT.set(region, paddingOffset + TYPE_OFFSET, PADDING_TYPE);
                    INT.setRelease(region, paddingOffset + LENGTH_OFFSET, padding);
                    tailIndex = 0;
                }
                long recordOffset = DATA_OFFSET + tailIndex;
                INT.set(region, recordOffset + TYPE_OFFSET, type);
                INT.setRelease(region, recordOffset + LENGTH_OFFSET, -recordLength);
                return tail + padding;
            }
        }
    }

    /** @return the offset in {@link #region()} of the record at {@code position} */
    public long offsetOf(long position) {
        return DATA_OFFSET + ((int) position & mask);
    }

    /**
     * Publishes a claimed record: stores its positive length with a release store. Ring
     * {@link #dataDoorbell()} afterwards if the consumer may sleep ({@link Doorbell#ring()} issues
     * the full fence the doorbell protocol needs).
     *
     * @param recordOffset a value returned by {@link #tryClaim}
     */
    public void commit(long recordOffset) {
        int length = claimedLength(recordOffset);
        INT.setRelease(region, recordOffset + LENGTH_OFFSET, length);
    }

    /**
     * Turns a claimed record into padding the consumer skips.
     *
     * @param recordOffset a value returned by {@link #tryClaim}
     */
    public void abandon(long recordOffset) {
        int length = claimedLength(recordOffset);
        INT.set(region, recordOffset + TYPE_OFFSET, PADDING_TYPE);
        INT.setRelease(region, recordOffset + LENGTH_OFFSET, align(length));
    }

    private int claimedLength(long recordOffset) {
        if (recordOffset < DATA_OFFSET || recordOffset > DATA_OFFSET + capacity - HEADER_LENGTH
                || (recordOffset & (RecordDescriptor.ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("recordOffset=" + recordOffset + " is not a record offset of this ring");
        }
        int length = (int) INT.getVolatile(region, recordOffset + LENGTH_OFFSET);
        long index = recordOffset - DATA_OFFSET;
        if (length >= 0 || -length < HEADER_LENGTH || -length > maxRecordLength || index + align(-length) > capacity) {
            throw new ProtocolException("ring record at offset " + recordOffset + ": length=" + length
                    + " is not a claimed record (committed twice, or overwritten by a peer)");
        }
        return -length;
    }

    // ---------------------------------------------------------------- consumer side

    /**
     * @return whether a record (or padding) is complete at the head: a cheap check for idle loops
     * @throws ProtocolException if the head position is corrupt
     */
    public boolean hasCommittedRecord() {
        long head = (long) LONG.getAcquire(region, (long) HEAD_POSITION_OFFSET);
        return (int) INT.getAcquire(region, (long) DATA_OFFSET + checkedHeadIndex(head)) > 0;
    }

    /**
     * Handles up to {@code limit} complete records in order and frees their space. Padding is
     * skipped. Bytes consumed are zeroed and the head is published (release store) once per
     * contiguous batch, then {@link #spaceDoorbell()} is rung. If the handler throws, the records
     * up to and including the failing one are consumed before the exception propagates. Only one
     * thread may call this at a time.
     *
     * @param handler receives each record
     * @param limit most records to handle, positive
     * @return records handled (padding not counted)
     * @throws ProtocolException on an invalid length or type at the head, naming offset and value;
     *     records before it are consumed, the bad one stays
     */
    public int read(RecordHandler handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit=" + limit + " must be positive");
        }
        int handled = 0;
        while (handled < limit) {
            long head = (long) LONG.getVolatile(region, (long) HEAD_POSITION_OFFSET);
            int headIndex = checkedHeadIndex(head);
            int blockLength = capacity - headIndex;
            int bytes = 0;
            try {
                while (bytes < blockLength && handled < limit) {
                    long position = head + bytes;
                    long recordOffset = DATA_OFFSET + headIndex + bytes;
                    int length = (int) INT.getAcquire(region, recordOffset + LENGTH_OFFSET);
                    if (length == 0) {
                        break;
                    }
                    int size = checkedRecordSize(length, position, recordOffset, blockLength - bytes);
                    if (length < 0) {
                        break; // claimed, still being written
                    }
                    int type = (int) INT.get(region, recordOffset + TYPE_OFFSET);
                    if (type == PADDING_TYPE) {
                        bytes += size;
                        continue;
                    }
                    if (type < RecordDescriptor.MIN_MESSAGE_TYPE) {
                        throw new ProtocolException("ring record at offset " + recordOffset + " (position " + position
                                + "): type=" + type + " is neither padding nor a message type");
                    }
                    bytes += size;
                    handled++;
                    currentPosition = position;
                    handler.onRecord(type, region, recordOffset + HEADER_LENGTH, length - HEADER_LENGTH);
                }
            } finally {
                if (bytes > 0) {
                    region.asSlice(DATA_OFFSET + headIndex, bytes).fill((byte) 0);
                    LONG.setRelease(region, (long) HEAD_POSITION_OFFSET, head + bytes);
                    spaceDoorbell.ring();
                }
            }
            if (bytes < blockLength) {
                break; // stopped before the end of the data area: nothing more is complete
            }
        }
        return handled;
    }

    /**
     * @return the position of the record being handled; valid inside a {@link RecordHandler}
     *         callback of {@link #read}, on the consumer thread
     */
    public long currentPosition() {
        return currentPosition;
    }

    private int checkedHeadIndex(long head) {
        if ((head & (RecordDescriptor.ALIGNMENT - 1)) != 0 || head < 0) {
            throw new ProtocolException("ring head position at offset " + HEAD_POSITION_OFFSET + ": head=" + head
                    + " is negative or not " + RecordDescriptor.ALIGNMENT + "-byte aligned");
        }
        return (int) head & mask;
    }

    /** Validates a non-zero length at the head; returns the aligned bytes the record occupies. */
    private int checkedRecordSize(int length, long position, long recordOffset, int bytesToEnd) {
        int magnitude = length < 0 ? -length : length;
        // Integer.MIN_VALUE stays negative: the first test catches it.
        if (magnitude < HEADER_LENGTH || magnitude > bytesToEnd) {
            throw new ProtocolException("ring record at offset " + recordOffset + " (position " + position
                    + "): length=" + length + " must be in [" + HEADER_LENGTH + ", " + bytesToEnd
                    + "] (negated while claimed)");
        }
        int size = align(magnitude);
        if (size > bytesToEnd) {
            throw new ProtocolException("ring record at offset " + recordOffset + " (position " + position
                    + "): length=" + length + " passes the end of the data area");
        }
        long end = position + size;
        if (end > consumerTailCache) {
            consumerTailCache = (long) LONG.getVolatile(region, (long) TAIL_POSITION_OFFSET);
            if (end > consumerTailCache) {
                throw new ProtocolException("ring record at offset " + recordOffset + " (position " + position
                        + "): length=" + length + " passes the tail position " + consumerTailCache);
            }
        }
        return size;
    }

    private ProtocolException corruptPositions(long head, long tail) {
        return new ProtocolException("ring positions at offsets " + HEAD_POSITION_OFFSET + "/" + TAIL_POSITION_OFFSET
                + " are corrupt: head=" + head + " tail=" + tail + " capacity=" + capacity);
    }
}
