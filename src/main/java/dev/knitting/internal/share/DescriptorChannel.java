package dev.knitting.internal.share;

import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.os.NativeCallException;
import dev.knitting.internal.os.UnixSockets;
import dev.knitting.internal.os.UnixSockets.Message;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One end of the per-worker descriptor channel: an {@code AF_UNIX} socket pair the host creates when
 * it starts a process worker, whose other end the worker inherits as a descriptor of its own. It
 * carries the descriptors of {@code ProcessSharedBuffer}s to the worker ({@code SCM_RIGHTS}), so a
 * worker never needs to open anything of its host in {@code /proc}.
 *
 * <p>Protocol: a payload's shared-buffer descriptor names a <em>handoff</em> id ({@link #nextHandoff()},
 * unique in the sending process) instead of a descriptor number, and every message on the socket is
 * one handoff id with exactly one descriptor. The sender queues the messages a request needs before
 * it publishes the request in the ring, so by the time the receiver decodes the request they are in
 * its socket queue; messages of several senders may interleave, so the receiver takes messages off
 * the socket until it meets the id it needs, keeping the others (at most {@link #MAX_WAITING}, the
 * oldest closed first) for the requests they belong to.
 *
 * <p>Neither side ever blocks on the socket. {@link #send} retries a full queue until its deadline,
 * then fails the send: a peer that never receives cannot hold up a sender for longer, and what it
 * can make this process queue is bounded by the socket's buffer. {@link #take} fails with
 * {@link ProtocolException} at once when the message is not queued: it was sent before the request
 * was published, so it is missing (forged id, or a peer that lost it) rather than late.
 */
public final class DescriptorChannel implements AutoCloseable {
    /** Received descriptors kept for requests not decoded yet, at most; the oldest is closed first. */
    public static final int MAX_WAITING = 64;
    /** Longest a sender waits for room in the peer's socket queue. */
    public static final long SEND_TIMEOUT_NANOS = 2_000_000_000L;

    private static final AtomicInteger HANDOFFS = new AtomicInteger();
    /** In a process worker: its channel from its host, or null (then it reads host descriptors in /proc). */
    private static volatile DescriptorChannel fromHost;

    private final int socket;
    private final String peer;
    /** Guarded by this: received descriptors by handoff id, oldest first (an id may repeat). */
    private final LinkedHashMap<Long, ArrayDeque<Integer>> waiting = new LinkedHashMap<>();
    /** Guarded by this. */
    private int waitingCount;
    /** Guarded by this. */
    private boolean closed;
    /** On the host's end: the buffers the worker was asked to keep mapped. */
    private final KeptBuffers keptBuffers = new KeptBuffers();
    /** Descriptors this process handed over on any channel (for tests and diagnostics). */
    private static final java.util.concurrent.atomic.AtomicLong SENT = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param socket this end of the pair, taken over: {@link #close()} closes it
     * @param peer names the other side in messages, e.g. {@code "worker 3"} or {@code "the host"}
     */
    public DescriptorChannel(int socket, String peer) {
        if (socket < 0) {
            throw new IllegalArgumentException("socket=" + socket + " must not be negative");
        }
        this.socket = socket;
        this.peer = peer;
    }

    /** @return a handoff id no other send of this process uses (positive; wraps after 2^31 sends) */
    public static int nextHandoff() {
        while (true) {
            int id = HANDOFFS.incrementAndGet() & Integer.MAX_VALUE;
            if (id != 0) {
                return id;
            }
        }
    }

    /** The channel of the worker whose answer this thread decodes, if any. */
    private static final ThreadLocal<DescriptorChannel> ANSWERING = new ThreadLocal<>();

    /**
     * Runs {@code decode} (of an answer from the worker at the other end of {@code channel}) with
     * {@link #answering()} saying so: references in the answer come over {@code channel}.
     */
    public static <T> T decodingAnswerOf(DescriptorChannel channel, java.util.function.Supplier<T> decode) {
        if (channel == null) {
            return decode.get();
        }
        DescriptorChannel previous = ANSWERING.get();
        ANSWERING.set(channel);
        try {
            return decode.get();
        } finally {
            ANSWERING.set(previous);
        }
    }

    /** @return the channel of the worker whose answer this thread decodes now, or null */
    public static DescriptorChannel answering() {
        return ANSWERING.get();
    }

    /** Makes {@code channel} this process's channel from its host (a process worker, at boot). */
    public static void connectHost(DescriptorChannel channel) {
        fromHost = channel;
    }

    /** @return this process worker's channel from its host, or null if it has none */
    public static DescriptorChannel fromHost() {
        return fromHost;
    }

    /** @return why channels cannot be used here, empty when they can */
    public static String unavailableReason() {
        return UnixSockets.unavailableReason();
    }

    /**
     * Queues {@code fd} at the peer under {@code handoff}; the caller keeps its own descriptor.
     *
     * @throws KnittingException if the peer is gone, or its queue stayed full for
     *     {@link #SEND_TIMEOUT_NANOS} (a peer that does not receive)
     */
    public void send(int handoff, int fd) {
        long deadline = System.nanoTime() + SEND_TIMEOUT_NANOS;
        long pause = 10_000;
        while (true) {
            UnixSockets.SendResult result;
            synchronized (this) { // never on a socket number close() gave back
                if (closed) {
                    throw new KnittingException("cannot hand a descriptor to " + peer + ": its channel is closed");
                }
                try {
                    result = UnixSockets.send(socket, handoff, fd);
                } catch (NativeCallException e) {
                    throw new KnittingException("cannot hand a descriptor to " + peer + ": " + e.getMessage(), e);
                }
            }
            switch (result) {
                case SENT -> {
                    SENT.incrementAndGet();
                    return;
                }
                case PEER_GONE -> throw new KnittingException("cannot hand a descriptor to " + peer
                        + ": its end of the descriptor channel is closed (it exited)");
                case FULL -> {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new KnittingException("cannot hand a descriptor to " + peer + ": its descriptor channel"
                                + " stayed full for " + SEND_TIMEOUT_NANOS / 1_000_000 + " ms (it does not take the"
                                + " descriptors of the calls sent to it)");
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new KnittingException("interrupted while waiting to hand a descriptor to " + peer);
                    }
                    LockSupport.parkNanos(pause);
                    pause = Math.min(pause * 2, 5_000_000);
                }
            }
        }
    }

    /**
     * Takes the descriptor sent under {@code handoff}, now the caller's to close.
     *
     * @throws ProtocolException if no such message is queued (a forged id, or a peer that broke the
     *     protocol), or a message on the way was malformed
     */
    public synchronized int take(int handoff) {
        if (closed) {
            throw new ProtocolException("descriptor channel to " + peer + " is closed");
        }
        Integer kept = removeWaiting(handoff);
        if (kept != null) {
            return kept;
        }
        while (true) {
            Message message;
            try {
                message = UnixSockets.receive(socket);
            } catch (NativeCallException e) {
                throw new ProtocolException("descriptor channel to " + peer + " failed while looking for handoff "
                        + handoff + ": " + e.getMessage(), e);
            }
            if (message == null) {
                throw new ProtocolException("no descriptor was handed over under handoff " + handoff + " by " + peer
                        + " (forged id, or it was never sent)");
            }
            if (message.fd() < 0 || !message.problem().isEmpty() || message.id() <= 0 || message.id() > Integer.MAX_VALUE) {
                if (message.fd() >= 0) {
                    UnixSockets.close(message.fd());
                }
                throw new ProtocolException("malformed message on the descriptor channel from " + peer + ": id "
                        + message.id() + (message.fd() < 0 ? ", no descriptor" : "")
                        + (message.problem().isEmpty() ? "" : ", " + message.problem()));
            }
            if (message.id() == handoff) {
                return message.fd();
            }
            keep((int) message.id(), message.fd());
        }
    }

    /** @return the buffers the worker at the other end was asked to keep mapped (on a host's end) */
    public KeptBuffers keptBuffers() {
        return keptBuffers;
    }

    /** @return how many descriptors this process has handed over on any channel since it started */
    public static long descriptorsSent() {
        return SENT.get();
    }

    /** @return how many received descriptors wait for their requests */
    public synchronized int waiting() {
        return waitingCount;
    }

    private Integer removeWaiting(int handoff) {
        ArrayDeque<Integer> fds = waiting.get((long) handoff);
        if (fds == null) {
            return null;
        }
        Integer fd = fds.pollFirst();
        if (fds.isEmpty()) {
            waiting.remove((long) handoff);
        }
        waitingCount--;
        return fd;
    }

    private void keep(int handoff, int fd) {
        if (waitingCount == MAX_WAITING) {
            Iterator<Map.Entry<Long, ArrayDeque<Integer>>> oldest = waiting.entrySet().iterator();
            Map.Entry<Long, ArrayDeque<Integer>> entry = oldest.next();
            UnixSockets.close(entry.getValue().pollFirst());
            if (entry.getValue().isEmpty()) {
                oldest.remove();
            }
            waitingCount--;
        }
        waiting.computeIfAbsent((long) handoff, k -> new ArrayDeque<>(1)).addLast(fd);
        waitingCount++;
    }

    /** Closes the socket and every descriptor still waiting. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ArrayDeque<Integer> fds : waiting.values()) {
            for (Integer fd : fds) {
                UnixSockets.close(fd);
            }
        }
        waiting.clear();
        waitingCount = 0;
        UnixSockets.close(socket);
        ReferenceCache.dropPeer(this); // the mappings kept for the peer's way back: it is gone
    }

    @Override
    public String toString() {
        return "DescriptorChannel[socket=" + socket + ", peer=" + peer + "]";
    }
}
