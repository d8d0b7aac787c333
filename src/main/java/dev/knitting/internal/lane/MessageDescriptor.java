package dev.knitting.internal.lane;

/**
 * Layout of the message header at the start of every record body, then the payload bytes of this
 * fragment ({@code recordBodyLength - HEADER_LENGTH} of them).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                     call id (low 32 bits)                     |  0
 * |                     call id (high 32 bits)                    |  4
 * +---------------------------------------------------------------+
 * |           code (task id in requests, status in responses)     |  8
 * +---------------------------------------------------------------+
 * |                     abort slot (-1: none)                     |  12
 * +---------------------------------------------------------------+
 * |                        reserved flags                     |L|F|  16
 * +---------------------------------------------------------------+
 * |                     reserved (0)                              |  20
 * +---------------------------------------------------------------+
 * |              total payload length (low 32 bits)               |  24
 * |              total payload length (high 32 bits)              |  28
 * +---------------------------------------------------------------+
 * |                  payload fragment                            ...  32
 * +---------------------------------------------------------------+
 * </pre>
 *
 * A message travels as one record with {@code FIRST|LAST}, or as a {@code FIRST} fragment, zero or
 * more middle fragments (no flag) and a {@code LAST} fragment, all with the same call id, type,
 * code, abort slot and total payload length, so each fragment validates on its own. Fragments of
 * one message are in ring order; unfragmented messages of other producers may sit between them.
 *
 * <p>Publication rule: the enclosing record's positive length (release store) publishes the header
 * and payload; a message is delivered only when its {@code LAST} fragment arrives.
 *
 * <p>Message types: {@link #REQUEST} (host to worker: a call), {@link #BATCH_REQUEST} (host to
 * worker: one chunk of a {@code callAll}, its payload a list of arguments, one task run per element
 * in order, answered by one response), {@link #RESPONSE} (worker to host: its answer) and {@link #BOOTSTRAP} (host to worker, once, before READY: the encoded data of the
 * pool's bootstrap, with call id 0, code 0, no abort slot). A worker configured with a bootstrap
 * takes the {@code BOOTSTRAP} message as the first message of its request ring and nothing else
 * before it; a worker without one never sees it.
 */
public final class MessageDescriptor {
    /** Call id chosen by the host, echoed in the response (long). */
    public static final int CALL_ID_OFFSET = 0;
    /** Task id in a request, status in a response (int). */
    public static final int CODE_OFFSET = CALL_ID_OFFSET + Long.BYTES;
    /** Abort bitset slot of the call, or {@link #NO_ABORT_SLOT} (int). */
    public static final int ABORT_SLOT_OFFSET = CODE_OFFSET + Integer.BYTES;
    /** {@link #FLAG_FIRST} and {@link #FLAG_LAST} (int). */
    public static final int FLAGS_OFFSET = ABORT_SLOT_OFFSET + Integer.BYTES;
    /** Zero for now (int). */
    public static final int RESERVED_OFFSET = FLAGS_OFFSET + Integer.BYTES;
    /** Payload bytes of the whole message, repeated in every fragment (long). */
    public static final int TOTAL_PAYLOAD_LENGTH_OFFSET = RESERVED_OFFSET + Integer.BYTES;
    /** Length of the message header. */
    public static final int HEADER_LENGTH = TOTAL_PAYLOAD_LENGTH_OFFSET + Long.BYTES;
    /** Where this fragment's payload starts, relative to the record body. */
    public static final int PAYLOAD_OFFSET = HEADER_LENGTH;

    /** Record type of a call, host to worker. */
    public static final int REQUEST = 1;
    /** Record type of an answer, worker to host. */
    public static final int RESPONSE = 2;
    /** Record type of the bootstrap data, host to worker, first in the request ring and before READY. */
    public static final int BOOTSTRAP = 3;
    /** Record type of a chunk of a {@code callAll}, host to worker: the payload is a list of arguments. */
    public static final int BATCH_REQUEST = 4;

    /** This record starts a message. */
    public static final int FLAG_FIRST = 1;
    /** This record ends a message. */
    public static final int FLAG_LAST = 2;
    /** An unfragmented message. */
    public static final int FLAGS_UNFRAGMENTED = FLAG_FIRST | FLAG_LAST;
    /** Every flag bit defined; others must be zero. */
    public static final int FLAGS_MASK = FLAG_FIRST | FLAG_LAST;

    /** Abort slot of a call that has none. */
    public static final int NO_ABORT_SLOT = -1;

    private MessageDescriptor() {
    }

    /** @return whether {@code type} is one of the message types above */
    public static boolean isMessageType(int type) {
        return type == REQUEST || type == RESPONSE || type == BOOTSTRAP || type == BATCH_REQUEST;
    }
}
