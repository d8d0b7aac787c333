package dev.knitting.internal.lane;

/**
 * Layout of one lane: a control header of 128-byte slots, the abort bitset, then the request ring
 * (host to worker, many producers) and the response ring (worker to host), each a
 * {@link RingDescriptor ring region} starting 128-byte aligned.
 *
 * <pre>
 * +-------------------------------------+ 0
 * | identity: magic, version, lengths,  |  written by the host before version;
 * | host pid, worker pid                |  worker pid written by the worker
 * +-------------------------------------+ 128
 * | worker state (int)                  |  worker: setRelease; host: getAcquire
 * +-------------------------------------+ 256
 * | host state (int)                    |  host: setRelease; worker: getAcquire
 * +-------------------------------------+ 384
 * | heartbeat (long)                    |  setRelease / getAcquire
 * +-------------------------------------+ 512
 * | collectors (int)                    |  host threads polling the response ring
 * |                                     |  now (host: getAndAdd; worker: getVolatile)
 * +-------------------------------------+ 640
 * | taken position (long)               |  request-ring position past the last request
 * |                                     |  the worker started (worker: setRelease)
 * +-------------------------------------+ 768
 * | pump doorbell                       |  the host's answer pump sleeps here; the
 * |                                     |  worker rings it when no joiner sleeps
 * +-------------------------------------+ 896
 * | host cpu (int)                      |  1 + the CPU a host thread spins on waiting
 * |                                     |  for an answer, 0 unknown (host: setOpaque)
 * | parked callers (int)                |  host threads parked in the JVM for answers
 * |                                     |  (host: getAndAdd; worker: getVolatile)
 * +-------------------------------------+ 1024
 * | worker cpu (int)                    |  1 + the CPU the worker spins or runs on,
 * |                                     |  0 when asleep (worker: setOpaque)
 * +-------------------------------------+ 1152 = ABORT_BITSET_OFFSET
 * | abort bitset: ceil(bits/64) longs,  |  host raises, allocator clears
 * | padded to a multiple of 128         |
 * +-------------------------------------+ HEADER_LENGTH = 896 + abortBitsetBytes(bits)
 * | request ring region                 |  RingDescriptor.regionBytes(requestCapacity)
 * +-------------------------------------+
 * | response ring region                |  RingDescriptor.regionBytes(responseCapacity)
 * +-------------------------------------+ requiredBytes
 * </pre>
 *
 * Identity slot:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                  magic "KNITTING" (low 32 bits)               |  0
 * |                  magic "KNITTING" (high 32 bits)              |  4
 * +---------------------------------------------------------------+
 * |                  version (written last = ready)               |  8
 * +---------------------------------------------------------------+
 * |                  header length (offset of request ring)       |  12
 * +---------------------------------------------------------------+
 * |                  request ring capacity                        |  16
 * +---------------------------------------------------------------+
 * |                  response ring capacity                       |  20
 * +---------------------------------------------------------------+
 * |                  abort capacity in bits                       |  24
 * +---------------------------------------------------------------+
 * |                  reserved (0)                                 |  28
 * +---------------------------------------------------------------+
 * |                  host pid (low 32 bits)                       |  32
 * |                  host pid (high 32 bits)                      |  36
 * +---------------------------------------------------------------+
 * |                  worker pid (low 32 bits)                     |  40
 * |                  worker pid (high 32 bits)                    |  44
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Worker states: {@code STARTING -> READY -> STOPPING -> STOPPED}, and any state {@code ->
 * FAILED}; only the worker writes them. Host states: {@code RUNNING -> STOP_REQUESTED -> GONE} (GONE: the
 * host abandoned the lane and answers nothing more); only the host writes them.
 *
 * <p>Publication rule: the host formats both rings and writes every other header field before it
 * stores {@code version} with a release store; a non-zero version read with acquire means the
 * lane is ready to attach.
 */
public final class LaneDescriptor {
    /** Size of one header slot. */
    public static final int SLOT_LENGTH = RingDescriptor.SLOT_LENGTH;

    /** "KNITTING" in ASCII, big-endian reading order. */
    public static final long MAGIC = 0x4B4E495454494E47L;
    /** Layout version this code writes and accepts. */
    public static final int VERSION = 2;

    /** Magic (long). */
    public static final int MAGIC_OFFSET = 0;
    /** Version (int), written last with a release store. */
    public static final int VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    /** Header length (int): offset of the request ring region. */
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + Integer.BYTES;
    /** Request ring data capacity (int). */
    public static final int REQUEST_CAPACITY_OFFSET = HEADER_LENGTH_OFFSET + Integer.BYTES;
    /** Response ring data capacity (int). */
    public static final int RESPONSE_CAPACITY_OFFSET = REQUEST_CAPACITY_OFFSET + Integer.BYTES;
    /** Abort bitset capacity in bits (int). */
    public static final int ABORT_BITS_OFFSET = RESPONSE_CAPACITY_OFFSET + Integer.BYTES;
    /** Reserved, zero (int). */
    public static final int RESERVED_OFFSET = ABORT_BITS_OFFSET + Integer.BYTES;
    /** Host process id (long). */
    public static final int HOST_PID_OFFSET = RESERVED_OFFSET + Integer.BYTES;
    /** Worker process id (long), 0 until the worker writes it. */
    public static final int WORKER_PID_OFFSET = HOST_PID_OFFSET + Long.BYTES;
    /** Bytes of the identity slot in use. */
    public static final int IDENTITY_LENGTH = WORKER_PID_OFFSET + Long.BYTES;

    /** Worker state (int) on its own slot. */
    public static final int WORKER_STATE_OFFSET = SLOT_LENGTH;
    /** Host state (int) on its own slot. */
    public static final int HOST_STATE_OFFSET = WORKER_STATE_OFFSET + SLOT_LENGTH;
    /** Heartbeat (long) on its own slot. */
    public static final int HEARTBEAT_OFFSET = HOST_STATE_OFFSET + SLOT_LENGTH;
    /**
     * Host threads polling the response ring right now (int) on its own slot: while it is positive
     * the worker skips ringing the response doorbell, because a poller will see the answer anyway.
     */
    public static final int COLLECTORS_OFFSET = HEARTBEAT_OFFSET + SLOT_LENGTH;
    /**
     * Request-ring position just past the last request whose task the worker started (long), on its
     * own slot; written before the task runs, so after a crash the host knows which calls were taken.
     */
    public static final int TAKEN_POSITION_OFFSET = COLLECTORS_OFFSET + SLOT_LENGTH;
    /**
     * The doorbell ({@link DoorbellDescriptor}) the host's answer pump sleeps on, on its own slot.
     * Callers waiting in {@code join()} sleep on the response ring's data doorbell instead, so an
     * answer wakes the joiners or the pump, not both.
     */
    public static final int PUMP_DOORBELL_OFFSET = TAKEN_POSITION_OFFSET + SLOT_LENGTH;
    /**
     * One plus the CPU a host thread waiting for an answer spins on (int), 0 when unknown, on its own
     * slot: a hint for the worker's spinner ({@link CpuHint}). Zero after formatting.
     */
    public static final int HOST_CPU_OFFSET = PUMP_DOORBELL_OFFSET + SLOT_LENGTH;
    /**
     * Host callers parked in the JVM waiting for answers (int), beside {@link #HOST_CPU_OFFSET}
     * (both host-written): virtual threads, which must not sleep on a futex (that pins their
     * carrier) and so are woken by the pump; while it is positive the worker wakes the pump for
     * every answer, also inside a burst.
     */
    public static final int PARKED_CALLERS_OFFSET = HOST_CPU_OFFSET + Integer.BYTES;
    /**
     * One plus the CPU the worker spins or runs a task on (int), 0 while it sleeps or when unknown,
     * on its own slot: a hint for the host's spinners ({@link CpuHint}).
     */
    public static final int WORKER_CPU_OFFSET = HOST_CPU_OFFSET + SLOT_LENGTH;
    /** First long of the abort bitset. */
    public static final int ABORT_BITSET_OFFSET = WORKER_CPU_OFFSET + SLOT_LENGTH;

    /** Most abort bits a lane may have. */
    public static final int MAX_ABORT_BITS = 1 << 20;

    /** Worker state: mapped the lane, not serving yet. */
    public static final int WORKER_STARTING = 0;
    /** Worker state: serving calls. */
    public static final int WORKER_READY = 1;
    /** Worker state: draining before exit. */
    public static final int WORKER_STOPPING = 2;
    /** Worker state: exited cleanly. */
    public static final int WORKER_STOPPED = 3;
    /** Worker state: gave up on an error. */
    public static final int WORKER_FAILED = 4;

    /** Host state: the host serves this lane. */
    public static final int HOST_RUNNING = 0;
    /** Host state: the host asks the worker to stop after draining. */
    public static final int HOST_STOP_REQUESTED = 1;
    /** Host state: the host abandoned the lane; the worker must not wait for it (e.g. for ring space). */
    public static final int HOST_GONE = 2;

    private LaneDescriptor() {
    }

    /**
     * @param abortBits abort capacity in bits
     * @return bytes of the bitset: ceil(bits/64) longs, rounded up to a multiple of 128
     */
    public static long abortBitsetBytes(int abortBits) {
        long bytes = ((abortBits + 63L) >>> 6) * Long.BYTES;
        return (bytes + SLOT_LENGTH - 1) & -SLOT_LENGTH;
    }

    /**
     * @param abortBits abort capacity in bits
     * @return the header length, which is the offset of the request ring region
     */
    public static long headerLength(int abortBits) {
        return ABORT_BITSET_OFFSET + abortBitsetBytes(abortBits);
    }
}
