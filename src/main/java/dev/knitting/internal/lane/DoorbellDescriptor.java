package dev.knitting.internal.lane;

/**
 * Layout of one doorbell: three ints that always share a 128-byte slot of their own.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                     sequence (futex word)                     |  0
 * +---------------------------------------------------------------+
 * |                     waiters (sleepers now)                    |  4
 * +---------------------------------------------------------------+
 * |           sleep sequence (newest sequence slept on)           |  8
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Publication rule: a publisher stores its data, issues a full fence and then reads
 * {@code waiters}; only when it is positive does it move {@code sequence} from {@code sleep
 * sequence} to the next value (one CAS) and, if that CAS wins, wake sleepers on it.
 */
public final class DoorbellDescriptor {
    /** The 32-bit futex word sleepers wait on; bumped by every ring that finds a sleeper. */
    public static final int SEQUENCE_OFFSET = 0;
    /** How many threads (of any process) are between registering and leaving a sleep. */
    public static final int WAITERS_OFFSET = SEQUENCE_OFFSET + Integer.BYTES;
    /** The newest sequence value a sleeper registered to sleep on; only ever moves forward. */
    public static final int SLEEP_SEQUENCE_OFFSET = WAITERS_OFFSET + Integer.BYTES;
    /** Bytes used by one doorbell. */
    public static final int LENGTH = SLEEP_SEQUENCE_OFFSET + Integer.BYTES;
    /** Required alignment of a doorbell's offset (futex words are 4-byte aligned). */
    public static final int ALIGNMENT = Integer.BYTES;

    private DoorbellDescriptor() {
    }
}
