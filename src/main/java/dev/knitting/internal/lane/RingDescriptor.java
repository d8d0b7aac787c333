package dev.knitting.internal.lane;

/**
 * Layout of one ring region: a header of 128-byte slots, then a data area of {@code capacity}
 * bytes (a power of two) holding {@link RecordDescriptor records}.
 *
 * <pre>
 * +--------------------------------+ 0
 * | tail position (long)           |  producers: compareAndSet
 * +--------------------------------+ 128
 * | head position (long)           |  consumer: setRelease once per batch
 * +--------------------------------+ 256
 * | data doorbell                  |  consumer sleeps, producers ring after commit
 * +--------------------------------+ 384
 * | space doorbell                 |  producers sleep when full, consumer rings after freeing
 * +--------------------------------+ 512
 * | capacity (int)                 |  written once by format
 * +--------------------------------+ 640 = HEADER_LENGTH = DATA_OFFSET
 * | data area: capacity bytes      |
 * |   records, 8-byte aligned      |
 * +--------------------------------+ 640 + capacity
 * </pre>
 *
 * Slot contents, each slot starting at the offset shown above:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                  tail position (low 32 bits)                  |  0
 * |                  tail position (high 32 bits)                 |  4
 * +---------------------------------------------------------------+
 * |                  head position (low 32 bits)                  |  128
 * |                  head position (high 32 bits)                 |  132
 * +---------------------------------------------------------------+
 * |                  data doorbell sequence                       |  256
 * |                  data doorbell waiters                        |  260
 * +---------------------------------------------------------------+
 * |                  space doorbell sequence                      |  384
 * |                  space doorbell waiters                       |  388
 * +---------------------------------------------------------------+
 * |                  capacity                                     |  512
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Positions are byte counts since format that only grow; the record at position {@code p} lives at
 * {@code DATA_OFFSET + (p & (capacity - 1))}. Always {@code head <= tail <= head + capacity}, both
 * multiples of 8.
 *
 * <p>Publication rule: bytes between head and tail belong to producers until their record length
 * turns positive (release store), and bytes before head are zero and free once the consumer has
 * published head with a release store.
 */
public final class RingDescriptor {
    /** Size of one slot: two cache lines, so adjacent-line prefetch cannot make them share. */
    public static final int SLOT_LENGTH = 128;
    /** Next free position (long), claimed by producers with compareAndSet. */
    public static final int TAIL_POSITION_OFFSET = 0;
    /** First position not yet consumed (long), written only by the consumer. */
    public static final int HEAD_POSITION_OFFSET = TAIL_POSITION_OFFSET + SLOT_LENGTH;
    /** Doorbell the consumer sleeps on ({@link DoorbellDescriptor} layout). */
    public static final int DATA_DOORBELL_OFFSET = HEAD_POSITION_OFFSET + SLOT_LENGTH;
    /** Doorbell producers sleep on when the ring is full ({@link DoorbellDescriptor} layout). */
    public static final int SPACE_DOORBELL_OFFSET = DATA_DOORBELL_OFFSET + SLOT_LENGTH;
    /** Capacity of the data area in bytes (int), written by format before anything else uses it. */
    public static final int CAPACITY_OFFSET = SPACE_DOORBELL_OFFSET + SLOT_LENGTH;
    /** Length of the header. */
    public static final int HEADER_LENGTH = CAPACITY_OFFSET + SLOT_LENGTH;
    /** Where the data area starts. */
    public static final int DATA_OFFSET = HEADER_LENGTH;
    /** Smallest data area: large enough for a message header and some payload per record. */
    public static final int MIN_CAPACITY = 1024;
    /** Largest data area. */
    public static final int MAX_CAPACITY = 1 << 30;
    /** The largest record is capacity / this, so a full ring always holds several. */
    public static final int MAX_RECORD_DIVISOR = 8;
    /** Alignment a ring region must start at. */
    public static final int REGION_ALIGNMENT = SLOT_LENGTH;

    private RingDescriptor() {
    }

    /**
     * @param capacity data area bytes, a power of two in [{@link #MIN_CAPACITY}, {@link #MAX_CAPACITY}]
     * @return header plus data area
     * @throws IllegalArgumentException naming a bad capacity
     */
    public static long regionBytes(int capacity) {
        checkCapacity(capacity);
        return (long) HEADER_LENGTH + capacity;
    }

    /**
     * @param capacity the candidate capacity
     * @throws IllegalArgumentException unless a power of two in [{@link #MIN_CAPACITY}, {@link #MAX_CAPACITY}]
     */
    public static void checkCapacity(int capacity) {
        if (!isValidCapacity(capacity)) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be a power of two in ["
                    + MIN_CAPACITY + ", " + MAX_CAPACITY + "]");
        }
    }

    /** @return whether {@code capacity} is a power of two in the allowed range */
    public static boolean isValidCapacity(int capacity) {
        return capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && Integer.bitCount(capacity) == 1;
    }
}
