package dev.knitting.internal.codec;

import dev.knitting.internal.share.Transit;

/**
 * Who is on the other side of a codec, which decides what zero-copy payloads may do: a shared
 * buffer descriptor of another process is mapped only when the peer is another process, and a
 * {@code BufferReference} moves only within one process, through the pool's {@link Transit}.
 */
public final class Peer {
    /** This process, without a pool to move references through (codec tests, plain values). */
    public static final Peer LOCAL = new Peer(false, false, null, false, false);

    private final boolean otherProcess;
    private final boolean worker;
    private final Transit transit;
    private final boolean handoffs;
    private final boolean trustsMemory;

    private Peer(boolean otherProcess, boolean worker, Transit transit, boolean handoffs, boolean trustsMemory) {
        this.otherProcess = otherProcess;
        this.worker = worker;
        this.transit = transit;
        this.handoffs = handoffs;
        this.trustsMemory = trustsMemory;
    }

    /** @return a peer in this process (thread workers and their host) moving references through {@code transit} */
    public static Peer sameProcess(Transit transit) {
        return new Peer(false, false, java.util.Objects.requireNonNull(transit, "transit"), false, true);
    }

    /**
     * @return a process worker, seen from its host: another process this one must not trust, whose
     *     named shared buffers are refused (they cannot be sealed against truncation); shared-buffer
     *     descriptors sent to it name descriptors in {@code /proc/<host>/fd}
     */
    public static Peer otherProcess() {
        return new Peer(true, true, null, false, false);
    }

    /**
     * @param handoffs whether the workers have a descriptor channel
     *     ({@link dev.knitting.internal.share.DescriptorChannel}): then shared-buffer descriptors sent
     *     to them name handoff ids, their descriptors travel over the channel, and
     *     {@code BufferReference}s move to them
     * @param trustsMemory whether memory a worker hands back (a {@code BufferReference}) is adopted as
     *     it is ({@code Permission.unsafe()}) rather than copied into memory the worker never saw
     * @param transit the pool's references in transit (the host may claim its own on the inline lane)
     * @return a process worker, seen from its host (see {@link #otherProcess()})
     */
    public static Peer processWorker(boolean handoffs, boolean trustsMemory, Transit transit) {
        return new Peer(true, true, transit, handoffs, trustsMemory);
    }

    /** @return the host, seen from its process worker: another process, whose named buffers are mapped */
    public static Peer processHost() {
        return new Peer(true, false, null, false, true);
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

    /**
     * @return whether a {@code BufferReference} this peer hands back is adopted as it is; false for an
     *     untrusted process worker, whose reference is copied (it may keep a mapping and write on)
     */
    public boolean trustsMemory() {
        return trustsMemory;
    }

    /** @return where references travel, or null if they cannot travel to this peer */
    public Transit transit() {
        return transit;
    }
}
