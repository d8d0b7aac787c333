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
            }
        }
    }

    /** Records a reference moved through {@code transit} under {@code token}. */
    public void moved(BufferReference reference, Transit transit, long token) {
        entries.add(new Move(reference, transit, token));
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

    private sealed interface Transfer permits Pin, Move {
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
}
