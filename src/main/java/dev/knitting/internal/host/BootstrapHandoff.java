package dev.knitting.internal.host;

import dev.knitting.internal.share.Transfers;

import dev.knitting.KnittingException;
import dev.knitting.PayloadException;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.lane.LaneDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The host side of the pool's bootstrap: its data, encoded once at {@code start}, and the hand-over
 * of those bytes to every new worker, replacements included, as the first message of the worker's
 * request ring (see {@code WorkerBootstrap} for why the ring and not the boot data).
 *
 * <p>Why encode once: {@code start} must refuse data that cannot travel before any worker starts,
 * and every worker, also one started hours later after a crash, then gets the very bytes the first
 * one got, whatever happened to the data object since. The encoding is the pool's ordinary
 * {@link PayloadEncoder} with the pool's type rules, exactly like a call argument.
 */
final class BootstrapHandoff {
    /** A pool without a bootstrap: nothing is sent. */
    static final BootstrapHandoff NONE = new BootstrapHandoff("", "", null, null);

    private final String className;
    private final String method;
    private final MemorySegment data;
    /** Shared buffers the data describes, kept mapped for every worker to come until the pool stops. */
    private final Transfers held;

    private BootstrapHandoff(String className, String method, MemorySegment data, Transfers held) {
        this.className = className;
        this.method = method;
        this.data = data;
        this.held = held;
    }

    /**
     * @param option the configured bootstrap, or {@code null} for none
     * @throws PayloadException if the data cannot travel (not a payload type, or above the limit)
     */
    static BootstrapHandoff of(BootstrapOption option, TypePolicy policy, Peer peer, long maxPayloadBytes) {
        if (option == null) {
            return NONE;
        }
        PayloadEncoder encoder = new PayloadEncoder(policy, peer);
        try {
            encoder.encode(option.data(), maxPayloadBytes);
        } catch (PayloadException e) {
            throw new PayloadException("the bootstrap data of " + option.className() + "." + option.method()
                    + " cannot be sent to workers: " + e.getMessage(), e);
        }
        MemorySegment copy = MemorySegment.ofArray(encoder.encoded().toArray(ValueLayout.JAVA_BYTE));
        Transfers transfers = encoder.takeTransfers();
        if (transfers != null) {
            transfers.payloadCopied(); // its buffers are handed over to every worker, never by kept slot
        }
        return new BootstrapHandoff(option.className(), option.method(), copy, transfers);
    }

    /** Lets go of the shared buffers the data describes: the pool has stopped (or failed to start). */
    void release() {
        if (held != null) {
            held.settle();
        }
    }

    /** @return the bootstrap class, empty for none */
    String className() {
        return className;
    }

    /** @return the bootstrap method, empty for none */
    String method() {
        return method;
    }

    /**
     * Sends the data to a worker that has just been started, waiting for ring space while the data
     * is larger than the ring and the worker reads it. Gives up quietly when the worker dies, fails
     * or the deadline passes: the readiness wait that follows says why.
     */
    void deliver(Incarnation incarnation, WorkerHandle worker, long deadlineNanos) {
        if (data == null) {
            return;
        }
        try {
            if (held != null) {
                held.deliver(worker.descriptors()); // the same handoff ids for every worker: one channel each
            }
            incarnation.sendBootstrap(data, () -> worker.isAlive() && System.nanoTime() - deadlineNanos < 0
                    && incarnation.lane().workerState() != LaneDescriptor.WORKER_FAILED);
        } catch (KnittingException workerGone) {
            // WorkerReadiness.await reports the worker's failure, exit or lateness
        }
    }
}
