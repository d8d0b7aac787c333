package dev.knitting.internal.codec;

import dev.knitting.internal.share.Transit;

/**
 * Who is on the other side of a codec, which decides what zero-copy payloads may do: a shared
 * buffer descriptor of another process is mapped only when the peer is another process, and a
 * {@code BufferReference} moves only within one process, through the pool's {@link Transit}.
 */
public final class Peer {
    /** This process, without a pool to move references through (codec tests, plain values). */
    public static final Peer LOCAL = new Peer(false, false, null, false);

    private final boolean otherProcess;
    private final boolean worker;
    private final Transit transit;
    private final boolean handoffs;

    private Peer(boolean otherProcess, boolean worker, Transit transit, boolean handoffs) {
        this.otherProcess = otherProcess;
        this.worker = worker;
        this.transit = transit;
        this.handoffs = handoffs;
    }

    /** @return a peer in this process (thread workers and their host) moving references through {@code transit} */
    public static Peer sameProcess(Transit transit) {
        return new Peer(false, false, java.util.Objects.requireNonNull(transit, "transit"), false);
    }

    /**
     * @return a process worker, seen from its host: another process this one must not trust, whose
     *     named shared buffers are refused (they cannot be sealed against truncation); shared-buffer
     *     descriptors sent to it name descriptors in {@code /proc/<host>/fd}
     */
    public static Peer otherProcess() {
        return new Peer(true, true, null, false);
    }

    /**
     * @param handoffs whether the workers have a descriptor channel
     *     ({@link dev.knitting.internal.share.DescriptorChannel}): then shared-buffer descriptors sent
     *     to them name handoff ids, and their descriptors travel over the channel
     * @return a process worker, seen from its host (see {@link #otherProcess()})
     */
    public static Peer processWorker(boolean handoffs) {
        return new Peer(true, true, null, handoffs);
    }

    /** @return the host, seen from its process worker: another process, whose named buffers are mapped */
    public static Peer processHost() {
        return new Peer(true, false, null, false);
    }

    public boolean isOtherProcess() {
        return otherProcess;
    }

    /** @return whether the peer is a process worker, whose memory is mapped only if it cannot shrink */
    public boolean isProcessWorker() {
        return worker;
    }

    /** @return whether shared-buffer descriptors sent to this peer name handoff ids (see {@link #processWorker}) */
    public boolean handsOverDescriptors() {
        return handoffs;
    }

    /** @return where references travel, or null if they cannot travel to this peer */
    public Transit transit() {
        return transit;
    }
}
