package dev.knitting.internal.lane;

/**
 * Layout of one record in a ring's data area. Records start 8-byte aligned; each occupies
 * {@code align(length, ALIGNMENT)} bytes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |R|                          length                             |  0
 * +-+-------------------------------------------------------------+
 * |                            type                               |  4
 * +---------------------------------------------------------------+
 * |                      body (length - 8 bytes)                 ...  8
 * ...                                                             |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>{@code length} counts the 8-byte header plus the body and is exact (not rounded): {@code 0}
 * means nothing was claimed here yet, a negative value {@code -length} means claimed and being
 * written, a positive value means complete. {@code type} is {@link #PADDING_TYPE} for filler the
 * consumer skips, or a message type {@code >= 1}.
 *
 * <p>Publication rule: a positive length, stored with a release store after the type and body,
 * means the record is complete and may be read.
 */
public final class RecordDescriptor {
    /** Signed record length including this header; the sign says claimed or complete. */
    public static final int LENGTH_OFFSET = 0;
    /** Record type: {@link #PADDING_TYPE} or a message type {@code >= 1}. */
    public static final int TYPE_OFFSET = LENGTH_OFFSET + Integer.BYTES;
    /** Length of the record header. */
    public static final int HEADER_LENGTH = TYPE_OFFSET + Integer.BYTES;
    /** Where the body starts, relative to the record offset. */
    public static final int BODY_OFFSET = HEADER_LENGTH;
    /** Every record starts at a multiple of this. */
    public static final int ALIGNMENT = 8;
    /** Type of a filler record (end of the data area, or an abandoned claim). */
    public static final int PADDING_TYPE = -1;
    /** The smallest type a message record may carry. */
    public static final int MIN_MESSAGE_TYPE = 1;

    private RecordDescriptor() {
    }

    /** @return {@code length} rounded up to {@link #ALIGNMENT} */
    public static int align(int length) {
        return (length + (ALIGNMENT - 1)) & -ALIGNMENT;
    }
}
