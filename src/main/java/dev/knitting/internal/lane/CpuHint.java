package dev.knitting.internal.lane;

import dev.knitting.internal.os.CurrentCpu;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Where this side of a lane and its peer run, so that a spinner stops spinning when it would only
 * hold its peer off. Each side publishes one plus the CPU it spins on in its own lane word
 * ({@link LaneDescriptor#HOST_CPU_OFFSET}, {@link LaneDescriptor#WORKER_CPU_OFFSET}); a spinner
 * whose peer's word names its own CPU knows the peer is queued behind it (the scheduler packed both
 * on one vCPU), and gives the CPU away at once instead of after a spin slice.
 *
 * <p>Why: on two vCPUs a fresh JVM often packs caller and worker on one CPU (the JIT compiler or
 * another program holds the other one). Each hand-off then waited for the spinner's next yield,
 * up to 64 spins later, and a round trip took ~10 µs instead of ~1 µs for as long as the packing
 * lasted.
 *
 * <p>A hint both ways: the peer may migrate right after publishing, and a hostile worker can write
 * any value. A wrong hint costs a yield or a spin slice, never correctness; the value is only ever
 * compared for equality. Stores are opaque and skipped when unchanged, so a steady spinner does not
 * keep invalidating the peer's cached copy.
 */
public final class CpuHint {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

    /** A hint that knows nothing: never reports a shared CPU, publishes nothing. */
    public static final CpuHint NONE = new CpuHint(null, 0, 0);

    private final MemorySegment segment;
    private final long mineOffset;
    private final long peerOffset;

    private CpuHint(MemorySegment segment, long mineOffset, long peerOffset) {
        this.segment = segment;
        this.mineOffset = mineOffset;
        this.peerOffset = peerOffset;
    }

    /**
     * @param lane the lane's memory, laid out by {@link LaneDescriptor}
     * @param hostSide whether this side is the host (else the worker)
     * @return the hint of that side, or {@link #NONE} when this platform cannot tell CPUs apart
     */
    static CpuHint of(MemorySegment lane, boolean hostSide) {
        if (!CurrentCpu.available()) {
            return NONE;
        }
        long host = LaneDescriptor.HOST_CPU_OFFSET;
        long worker = LaneDescriptor.WORKER_CPU_OFFSET;
        return hostSide ? new CpuHint(lane, host, worker) : new CpuHint(lane, worker, host);
    }

    /**
     * Publishes the CPU the calling thread runs on and compares it with the peer's.
     *
     * @return whether the peer's last published CPU is the caller's CPU now
     */
    public boolean peerSharesMyCpu() {
        if (segment == null) {
            return false;
        }
        int mine = CurrentCpu.id() + 1;
        if (mine <= 0) {
            return false;
        }
        if ((int) INT.getOpaque(segment, mineOffset) != mine) {
            INT.setOpaque(segment, mineOffset, mine);
        }
        return (int) INT.getOpaque(segment, peerOffset) == mine;
    }

    /**
     * Whether the peer last spun on another CPU than the one the caller runs on now. Asked when a
     * wait that yielded has ended: a peer that answered from another CPU did not need the yield, so
     * the wait says nothing about packing (see {@link AdaptiveSpin}).
     *
     * @return whether both CPUs are known and differ; false when either is unknown
     */
    public boolean peerRunsElsewhere() {
        if (segment == null) {
            return false;
        }
        int mine = CurrentCpu.id() + 1;
        int peer = (int) INT.getOpaque(segment, peerOffset);
        return mine > 0 && peer > 0 && peer != mine;
    }

    /** Says this side is going to sleep: it holds no CPU the peer should leave to it. */
    public void sleeping() {
        if (segment != null && (int) INT.getOpaque(segment, mineOffset) != 0) {
            INT.setOpaque(segment, mineOffset, 0);
        }
    }
}
