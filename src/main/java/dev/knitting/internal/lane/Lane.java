package dev.knitting.internal.lane;

import static dev.knitting.internal.lane.LaneDescriptor.ABORT_BITSET_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.ABORT_BITS_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.HEADER_LENGTH_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.HEARTBEAT_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.HOST_PID_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.HOST_STATE_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.MAGIC_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.REQUEST_CAPACITY_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.RESPONSE_CAPACITY_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.VERSION_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.WORKER_PID_OFFSET;
import static dev.knitting.internal.lane.LaneDescriptor.WORKER_STATE_OFFSET;

import dev.knitting.ProtocolException;
import dev.knitting.internal.os.CurrentProcess;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One lane ({@link LaneDescriptor layout}): the control header, the abort bitset, the request ring
 * (host to worker) and the response ring (worker to host) in one segment. The host
 * {@link #format formats} it, the worker {@link #attach attaches} and validates it. Header fields
 * are read with acquire and written with release.
 */
public final class Lane {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior(); // a mistyped call site fails, never adapts per call
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final MemorySegment segment;
    private final MpscRing requests;
    private final MpscRing responses;
    private final AbortBitset aborts;
    private final Doorbell pumpDoorbell;
    private final CpuHint hostCpu;
    private final CpuHint workerCpu;

    private Lane(MemorySegment segment, MpscRing requests, MpscRing responses, AbortBitset aborts, Waiter waiter) {
        this.segment = segment;
        this.requests = requests;
        this.responses = responses;
        this.aborts = aborts;
        this.pumpDoorbell = new Doorbell(segment, LaneDescriptor.PUMP_DOORBELL_OFFSET, waiter);
        this.hostCpu = CpuHint.of(segment, true);
        this.workerCpu = CpuHint.of(segment, false);
    }

    /**
     * @param requestCapacity request ring data bytes (power of two)
     * @param responseCapacity response ring data bytes (power of two)
     * @param abortBits abort slots, in [0, {@link LaneDescriptor#MAX_ABORT_BITS}]
     * @return bytes a lane with these sizes needs
     */
    public static long requiredBytes(int requestCapacity, int responseCapacity, int abortBits) {
        checkAbortBits(abortBits);
        return LaneDescriptor.headerLength(abortBits) + RingDescriptor.regionBytes(requestCapacity)
                + RingDescriptor.regionBytes(responseCapacity);
    }

    /**
     * Host side: zeroes and lays out a lane (host pid = this process, worker pid 0, worker state
     * STARTING, host state RUNNING), then publishes it by storing the version last.
     *
     * @param segment native memory, 128-byte aligned, at least {@link #requiredBytes} long
     * @param requestCapacity request ring data bytes
     * @param responseCapacity response ring data bytes
     * @param abortBits abort slots
     * @param waiter how the rings' doorbells sleep and wake
     * @return the lane
     */
    public static Lane format(MemorySegment segment, int requestCapacity, int responseCapacity, int abortBits,
            Waiter waiter) {
        long required = requiredBytes(requestCapacity, responseCapacity, abortBits);
        checkSegment(segment);
        Objects.requireNonNull(waiter, "waiter");
        if (segment.byteSize() < required) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is smaller than the "
                    + required + " the lane needs");
        }
        long headerLength = LaneDescriptor.headerLength(abortBits);
        long responseOffset = headerLength + RingDescriptor.regionBytes(requestCapacity);
        INT.setRelease(segment, (long) VERSION_OFFSET, 0); // not ready while we write
        segment.asSlice(0, headerLength).fill((byte) 0);
        MpscRing.format(segment.asSlice(headerLength), requestCapacity);
        MpscRing.format(segment.asSlice(responseOffset), responseCapacity);
        segment.set(ValueLayout.JAVA_LONG, MAGIC_OFFSET, LaneDescriptor.MAGIC);
        segment.set(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET, (int) headerLength);
        segment.set(ValueLayout.JAVA_INT, REQUEST_CAPACITY_OFFSET, requestCapacity);
        segment.set(ValueLayout.JAVA_INT, RESPONSE_CAPACITY_OFFSET, responseCapacity);
        segment.set(ValueLayout.JAVA_INT, ABORT_BITS_OFFSET, abortBits);
        segment.set(ValueLayout.JAVA_LONG, HOST_PID_OFFSET, CurrentProcess.pid());
        segment.set(ValueLayout.JAVA_INT, WORKER_STATE_OFFSET, LaneDescriptor.WORKER_STARTING);
        segment.set(ValueLayout.JAVA_INT, HOST_STATE_OFFSET, LaneDescriptor.HOST_RUNNING);
        INT.setRelease(segment, (long) VERSION_OFFSET, LaneDescriptor.VERSION);
        return open(segment, headerLength, requestCapacity, responseCapacity, abortBits, waiter);
    }

    /**
     * Worker side: validates a lane the host formatted.
     *
     * @param segment the lane memory, 128-byte aligned
     * @param waiter how the rings' doorbells sleep and wake
     * @return the lane
     * @throws ProtocolException naming what is wrong: magic, version, a length, a capacity, or a
     *     segment too small for the sizes in the header
     */
    public static Lane attach(MemorySegment segment, Waiter waiter) {
        checkSegment(segment);
        Objects.requireNonNull(waiter, "waiter");
        if (segment.byteSize() < ABORT_BITSET_OFFSET) {
            throw new ProtocolException("lane segment of " + segment.byteSize() + " bytes is smaller than the header ("
                    + ABORT_BITSET_OFFSET + ")");
        }
        int version = (int) INT.getAcquire(segment, (long) VERSION_OFFSET);
        long magic = segment.get(ValueLayout.JAVA_LONG, MAGIC_OFFSET);
        if (magic != LaneDescriptor.MAGIC) {
            throw new ProtocolException("lane at offset " + MAGIC_OFFSET + ": magic=0x" + Long.toHexString(magic)
                    + " is not 0x" + Long.toHexString(LaneDescriptor.MAGIC) + " (not a lane, or not formatted yet)");
        }
        if (version != LaneDescriptor.VERSION) {
            throw new ProtocolException("lane at offset " + VERSION_OFFSET + ": version=" + version + " is not "
                    + LaneDescriptor.VERSION + (version == 0 ? " (not published yet)" : " (other layout version)"));
        }
        int abortBits = segment.get(ValueLayout.JAVA_INT, ABORT_BITS_OFFSET);
        if (abortBits < 0 || abortBits > LaneDescriptor.MAX_ABORT_BITS) {
            throw new ProtocolException("lane at offset " + ABORT_BITS_OFFSET + ": abortBits=" + abortBits
                    + " is outside [0, " + LaneDescriptor.MAX_ABORT_BITS + "]");
        }
        int headerLength = segment.get(ValueLayout.JAVA_INT, HEADER_LENGTH_OFFSET);
        if (headerLength != LaneDescriptor.headerLength(abortBits)) {
            throw new ProtocolException("lane at offset " + HEADER_LENGTH_OFFSET + ": headerLength=" + headerLength
                    + " does not match abortBits=" + abortBits + " (expected " + LaneDescriptor.headerLength(abortBits)
                    + ")");
        }
        int requestCapacity = checkedCapacity(segment, REQUEST_CAPACITY_OFFSET, "requestCapacity");
        int responseCapacity = checkedCapacity(segment, RESPONSE_CAPACITY_OFFSET, "responseCapacity");
        long required = requiredBytes(requestCapacity, responseCapacity, abortBits);
        if (segment.byteSize() < required) {
            throw new ProtocolException("lane segment of " + segment.byteSize() + " bytes is smaller than the "
                    + required + " its header describes (requestCapacity=" + requestCapacity + ", responseCapacity="
                    + responseCapacity + ", abortBits=" + abortBits + ")");
        }
        return open(segment, headerLength, requestCapacity, responseCapacity, abortBits, waiter);
    }

    private static Lane open(MemorySegment segment, long headerLength, int requestCapacity, int responseCapacity,
            int abortBits, Waiter waiter) {
        long responseOffset = headerLength + RingDescriptor.regionBytes(requestCapacity);
        MpscRing requests = MpscRing.attach(segment.asSlice(headerLength, RingDescriptor.regionBytes(requestCapacity)),
                waiter);
        MpscRing responses = MpscRing.attach(
                segment.asSlice(responseOffset, RingDescriptor.regionBytes(responseCapacity)), waiter);
        if (requests.capacity() != requestCapacity || responses.capacity() != responseCapacity) {
            throw new ProtocolException("lane ring capacities (" + requests.capacity() + ", " + responses.capacity()
                    + ") differ from the lane header (" + requestCapacity + ", " + responseCapacity + ")");
        }
        AbortBitset aborts = new AbortBitset(
                segment.asSlice(ABORT_BITSET_OFFSET, LaneDescriptor.abortBitsetBytes(abortBits)), abortBits);
        return new Lane(segment.asSlice(0, responseOffset + RingDescriptor.regionBytes(responseCapacity)), requests,
                responses, aborts, waiter);
    }

    private static int checkedCapacity(MemorySegment segment, long offset, String name) {
        int capacity = segment.get(ValueLayout.JAVA_INT, offset);
        if (!RingDescriptor.isValidCapacity(capacity)) {
            throw new ProtocolException("lane at offset " + offset + ": " + name + "=" + capacity
                    + " is not a power of two in [" + RingDescriptor.MIN_CAPACITY + ", " + RingDescriptor.MAX_CAPACITY
                    + "]");
        }
        return capacity;
    }

    private static void checkAbortBits(int abortBits) {
        if (abortBits < 0 || abortBits > LaneDescriptor.MAX_ABORT_BITS) {
            throw new IllegalArgumentException("abortBits=" + abortBits + " must be in [0, "
                    + LaneDescriptor.MAX_ABORT_BITS + "]");
        }
    }

    private static void checkSegment(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative() || (segment.address() & (LaneDescriptor.SLOT_LENGTH - 1)) != 0) {
            throw new IllegalArgumentException("lane segment must be native and " + LaneDescriptor.SLOT_LENGTH
                    + "-byte aligned: " + segment);
        }
    }

    /** @return the lane memory, exactly {@link #requiredBytes} long */
    public MemorySegment segment() {
        return segment;
    }

    /** @return host-to-worker ring */
    public MpscRing requests() {
        return requests;
    }

    /** @return worker-to-host ring */
    public MpscRing responses() {
        return responses;
    }

    /** @return the abort flags */
    public AbortBitset aborts() {
        return aborts;
    }

    /** @return worker state (acquire), one of the {@code LaneDescriptor.WORKER_*} values if the peer is sane */
    public int workerState() {
        return (int) INT.getAcquire(segment, (long) WORKER_STATE_OFFSET);
    }

    /** @param state new worker state (release) */
    public void workerState(int state) {
        INT.setRelease(segment, (long) WORKER_STATE_OFFSET, state);
    }

    /** @return host state (acquire), one of the {@code LaneDescriptor.HOST_*} values if the peer is sane */
    public int hostState() {
        return (int) INT.getAcquire(segment, (long) HOST_STATE_OFFSET);
    }

    /** @param state new host state (release) */
    public void hostState(int state) {
        INT.setRelease(segment, (long) HOST_STATE_OFFSET, state);
    }

    /** @return the CPU hint host threads spinning for answers publish and compare through */
    public CpuHint hostCpu() {
        return hostCpu;
    }

    /** @return the CPU hint the worker's loop publishes and compares through */
    public CpuHint workerCpu() {
        return workerCpu;
    }

    /** @return the doorbell the host's answer pump sleeps on */
    public Doorbell pumpDoorbell() {
        return pumpDoorbell;
    }

    /**
     * Wakes whoever collects answers on the host after an answer was committed (fences first): nobody
     * while a host thread polls ({@link #collecting()}), else the callers asleep in {@code join()},
     * else the pump.
     *
     * @return whether a sleeper was woken
     */
    public boolean wakeAnswerCollector() {
        VarHandle.fullFence(); // the answer's commit before our reads of collectors and waiters
        if (collecting()) {
            return false;
        }
        Doorbell joiners = responses.dataDoorbell();
        return joiners.waiters() > 0 ? joiners.ring() : pumpDoorbell.ring();
    }

    /**
     * {@link #wakeAnswerCollector()} without the pump: wakes callers asleep in {@code join()} only,
     * and the pump only while callers are parked in the JVM ({@link #parkedCallers()}).
     * A worker answering a burst uses it and wakes the pump once when the burst ends.
     *
     * @return whether a sleeper was woken
     */
    public boolean wakeJoiners() {
        VarHandle.fullFence();
        if (collecting()) {
            return false;
        }
        Doorbell joiners = responses.dataDoorbell();
        boolean woke = joiners.waiters() > 0 && joiners.ring();
        if (parkedCallers() > 0) {
            woke |= pumpDoorbell.ring(); // parked callers have no futex: the pump collects for them
        }
        return woke;
    }

    /**
     * Registers ({@code +1}) or unregisters ({@code -1}) a host caller parked in the JVM (a virtual
     * thread) until the pump collects its answer. A full fence: the caller's drain after registering
     * comes after it.
     */
    public void addParkedCallers(int delta) {
        int previous = (int) INT.getAndAdd(segment, (long) LaneDescriptor.PARKED_CALLERS_OFFSET, delta);
        assert previous + delta >= 0 : "parked callers below zero";
    }

    /** @return host callers parked in the JVM now (volatile read; any value a hostile host wrote is only compared to zero) */
    public int parkedCallers() {
        return (int) INT.getVolatile(segment, (long) LaneDescriptor.PARKED_CALLERS_OFFSET);
    }

    /** Registers ({@code +1}) or unregisters ({@code -1}) a host thread polling the response ring. */
    public void addCollectors(int delta) {
        int previous = (int) INT.getAndAdd(segment, (long) LaneDescriptor.COLLECTORS_OFFSET, delta);
        assert previous + delta >= 0 : "collectors below zero";
    }

    /**
     * @return whether a host thread polls the response ring now (volatile read; callers that
     *         decide not to wake on it must fence after publishing first)
     */
    public boolean collecting() {
        return (int) INT.getVolatile(segment, (long) LaneDescriptor.COLLECTORS_OFFSET) > 0;
    }

    /** @return the request-ring position past the last request the worker started (acquire) */
    public long takenPosition() {
        return (long) LONG.getAcquire(segment, (long) LaneDescriptor.TAKEN_POSITION_OFFSET);
    }

    /** @param position the request-ring position past the request about to run (release) */
    public void takenPosition(long position) {
        LONG.setRelease(segment, (long) LaneDescriptor.TAKEN_POSITION_OFFSET, position);
    }

    /** @return heartbeat (acquire) */
    public long heartbeat() {
        return (long) LONG.getAcquire(segment, (long) HEARTBEAT_OFFSET);
    }

    /** @param value new heartbeat (release) */
    public void heartbeat(long value) {
        LONG.setRelease(segment, (long) HEARTBEAT_OFFSET, value);
    }

    /** @return host pid (acquire), 0 if not written */
    public long hostPid() {
        return (long) LONG.getAcquire(segment, (long) HOST_PID_OFFSET);
    }

    /** @param pid host pid (release) */
    public void hostPid(long pid) {
        LONG.setRelease(segment, (long) HOST_PID_OFFSET, pid);
    }

    /** @return worker pid (acquire), 0 if not written */
    public long workerPid() {
        return (long) LONG.getAcquire(segment, (long) WORKER_PID_OFFSET);
    }

    /** @param pid worker pid (release) */
    public void workerPid(long pid) {
        LONG.setRelease(segment, (long) WORKER_PID_OFFSET, pid);
    }
}
