package dev.knitting.internal.share;

import dev.knitting.unsafe.BufferReference;

import java.util.ArrayList;
import java.util.List;

/**
 * What one send holds on the sender's side until the send is over: a reference on each shared
 * buffer it describes (so closing the buffer meanwhile cannot unmap it under the receiver), and
 * the {@code BufferReference}s it moved. Exactly one of {@link #rollback()} (the message was
 * never published) or {@link #settle()} (the call is over) ends it.
 */
public final class Transfers {
    private final List<Transfer> entries = new ArrayList<>(2);

    /**
     * Keeps {@code memory} mapped until the send is over.
     *
     * @param handoff the id under which {@link #deliver} hands its descriptor to a process worker,
     *     0 if the descriptor names the memory without a handoff (a peer in this process)
     */
    public void pin(SharedBufferMemory memory, int handoff) {
        memory.retain();
        entries.add(new Pin(memory, handoff));
    }

    /**
     * Hands the descriptors this send's payload names by handoff id to the worker at the other end
     * of {@code channel}, before the payload is published. Does nothing without a channel.
     *
     * @throws dev.knitting.KnittingException if the worker does not take them (see
     *     {@link DescriptorChannel#send})
     */
    public void deliver(DescriptorChannel channel) {
        if (channel == null) {
            return;
        }
        for (Transfer t : entries) {
            if (t instanceof Pin(SharedBufferMemory memory, int handoff) && handoff > 0) {
                channel.send(handoff, memory.fd());
            } else if (t instanceof Handover h) {
                channel.send(h.handoff(), h.sent().fd());
            }
        }
    }

    /** Records a reference moved through {@code transit} under {@code token}. */
    public void moved(BufferReference reference, Transit transit, long token) {
        entries.add(new Move(reference, transit, token));
    }

    /**
     * Records a reference moved to another process: {@code sent} (the reference's own block, or a
     * shareable copy of it) is handed over under {@code handoff} by {@link #deliver}; {@code transit}
     * (the host's, null in a process worker) keeps it claimable here under {@code token} until the
     * call is over. Rollback gives the reference back its block; settling frees what this process
     * still maps of it (the peer owns its own mapping by then).
     */
    public void handedOver(BufferReference reference, NativeBlock original, NativeBlock sent, Transit transit,
                           long token, int handoff) {
        entries.add(new Handover(reference, original, sent, transit, token, handoff));
    }

    /** Appends {@code other}'s entries (a call sent twice settles both sends). */
    public void addAll(Transfers other) {
        entries.addAll(other.entries);
        other.entries.clear();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The message was not published: references go back to their sender, buffers are unpinned. */
    public void rollback() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            entries.get(i).rollback();
        }
        entries.clear();
    }

    /**
     * The call is over: buffers are unpinned; references nobody claimed (the call ended before its
     * receiver decoded them) are freed.
     */
    public void settle() {
        for (Transfer t : entries) {
            t.settle();
        }
        entries.clear();
    }

    private sealed interface Transfer permits Pin, Move, Handover {
        void rollback();

        void settle();
    }

    private record Pin(SharedBufferMemory memory, int handoff) implements Transfer {
        @Override
        public void rollback() {
            memory.release();
        }

        @Override
        public void settle() {
            memory.release();
        }
    }

    private record Move(BufferReference reference, Transit transit, long token) implements Transfer {
        @Override
        public void rollback() {
            if (transit.reclaim(token) != null) {
                BufferReferenceAccess.get().restore(reference);
            }
        }

        @Override
        public void settle() {
            NativeBlock unclaimed = transit.reclaim(token);
            if (unclaimed != null) {
                unclaimed.free();
            }
        }
    }

    private record Handover(BufferReference reference, NativeBlock original, NativeBlock sent, Transit transit,
                            long token, int handoff) implements Transfer {
        @Override
        public void rollback() {
            if (transit == null || transit.reclaim(token) != null) {
                if (sent != original) {
                    sent.free();
                }
                BufferReferenceAccess.get().restore(reference);
            }
        }

        @Override
        public void settle() {
            NativeBlock view = transit == null ? sent : transit.reclaim(token); // null: claimed here (inline)
            if (view != null) {
                view.free();
            }
            if (sent != original) {
                original.free();
            }
        }
    }
}
