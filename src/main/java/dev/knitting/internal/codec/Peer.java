package dev.knitting.internal.codec;

import dev.knitting.internal.share.Transit;

/**
 * Who is on the other side of a codec, which decides what zero-copy payloads may do: a shared
 * buffer descriptor of another process is mapped only when the peer is another process, and a
 * {@code BufferReference} moves only within one process, through the pool's {@link Transit}.
 */
public final class Peer {
    /** This process, without a pool to move references through (codec tests, plain values). */
    public static final Peer LOCAL = new Peer(false, false, null);

    private final boolean otherProcess;
    private final boolean worker;
    private final Transit transit;

    private Peer(boolean otherProcess, boolean worker, Transit transit) {
        this.otherProcess = otherProcess;
        this.worker = worker;
        this.transit = transit;
    }

    /** @return a peer in this process (thread workers and their host) moving references through {@code transit} */
    public static Peer sameProcess(Transit transit) {
        return new Peer(false, false, java.util.Objects.requireNonNull(transit, "transit"));
    }

    /**
     * @return a process worker, seen from its host: another process this one must not trust, whose
     *     named shared buffers are refused (they cannot be sealed against truncation)
     */
    public static Peer otherProcess() {
        return new Peer(true, true, null);
    }

    /** @return the host, seen from its process worker: another process, whose named buffers are mapped */
    public static Peer processHost() {
        return new Peer(true, false, null);
    }

    public boolean isOtherProcess() {
        return otherProcess;
    }

    /** @return whether the peer is a process worker, whose memory is mapped only if it cannot shrink */
    public boolean isProcessWorker() {
        return worker;
    }

    /** @return where references travel, or null if they cannot travel to this peer */
    public Transit transit() {
        return transit;
    }
}
