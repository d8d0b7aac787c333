package dev.knitting.internal.codec;

import dev.knitting.internal.share.Transit;

/**
 * Who is on the other side of a codec, which decides what zero-copy payloads may do: a shared
 * buffer descriptor of another process is mapped only when the peer is another process, and a
 * {@code BufferReference} moves only within one process, through the pool's {@link Transit}.
 */
public final class Peer {
    /** This process, without a pool to move references through (codec tests, plain values). */
    public static final Peer LOCAL = new Peer(false, null);

    private final boolean otherProcess;
    private final Transit transit;

    private Peer(boolean otherProcess, Transit transit) {
        this.otherProcess = otherProcess;
        this.transit = transit;
    }

    /** @return a peer in this process (thread workers and their host) moving references through {@code transit} */
    public static Peer sameProcess(Transit transit) {
        return new Peer(false, java.util.Objects.requireNonNull(transit, "transit"));
    }

    /** @return a peer in another process (process workers and their host) */
    public static Peer otherProcess() {
        return new Peer(true, null);
    }

    public boolean isOtherProcess() {
        return otherProcess;
    }

    /** @return where references travel, or null if they cannot travel to this peer */
    public Transit transit() {
        return transit;
    }
}
