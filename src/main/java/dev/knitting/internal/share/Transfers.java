package dev.knitting.internal.share;

import dev.knitting.unsafe.BufferReference;

import java.util.ArrayList;
import java.util.List;

/**
 * What one send holds on the sender's side until the send is over: a reference on each shared
 * buffer it describes (so closing the buffer meanwhile cannot unmap it under the receiver), and
 * the {@code BufferReference}s it moved. Exactly one of {@link #rollback()} (the message was
 * never published) or {@link #settle(boolean)} (the call is over) ends it.
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
        pin(memory, handoff, null);
    }

    /**
     * Keeps {@code memory} mapped until the send is over; {@link #deliver} writes the send's
     * kept-buffer word through {@code keptWord} ({@link KeptBuffers}: by slot, without handing the
     * descriptor over, if the worker keeps the buffer).
     *
     * @param keptWord where the payload's kept-buffer word goes, null if it has none
     */
    public void pin(SharedBufferMemory memory, int handoff, KeptWordField keptWord) {
        memory.retain();
        entries.add(new Pin(memory, handoff, keptWord));
    }

    /** Where {@link #deliver} writes a shared-buffer descriptor's kept-buffer word, in the payload before it is published. */
    @FunctionalInterface
    public interface KeptWordField {
        /** @return whether the word was written (false: the payload is not there to write any more) */
        boolean write(long word);
    }

    /**
     * The payload was copied away from where it was encoded (it is sent as that copy, maybe to
     * several workers): its kept-buffer words stay {@code NONE}, every buffer is handed over.
     */
    public void payloadCopied() {
        for (Transfer t : entries) {
            if (t instanceof Pin pin) {
                pin.merged();
            }
        }
    }

    /**
     * Hands the descriptors this send's payload names by handoff id to the worker at the other end
     * of {@code channel}, before the payload is published, except those of buffers the worker keeps
     * ({@link KeptBuffers}), whose descriptors then name the worker's slot instead. Does nothing
     * without a channel. Called again for the same payload (it goes to another worker instead), it
     * plans every buffer anew for the new channel.
     *
     * @throws dev.knitting.KnittingException if the worker does not take them (see
     *     {@link DescriptorChannel#send})
     */
    public void deliver(DescriptorChannel channel) {
        if (channel == null) {
            return;
        }
        for (Transfer t : entries) {
            if (t instanceof Pin pin && pin.handoff > 0) {
                pin.deliver(channel);
            } else if (t instanceof Handover h) {
                h.deliver(channel);
            }
        }
    }

    /** Records a reference moved through {@code transit} under {@code token}. */
    public void moved(BufferReference reference, Transit transit, long token) {
        entries.add(new Move(reference, transit, token));
    }

    /**
     * Records a reference moved to another process: {@code sent} (the reference's own block, or a
     * shareable copy of it) is handed over under {@code handoff} by {@link #deliver}, or by its key
     * alone if the peer keeps a mapping of it; its claim word holds {@code token} until the peer takes
     * it. {@code transit} (the host's, null in a process worker) keeps it claimable here under
     * {@code token} until the call is over. Rollback gives the reference back its block; settling
     * frees the block if the peer never took it, else keeps this process's mapping for the block's way
     * back ({@code keep}, see {@link ReferenceCache}) or unmaps it.
     */
    public void handedOver(BufferReference reference, NativeBlock original, NativeBlock sent, Transit transit,
                           long token, int handoff, boolean keep) {
        entries.add(new Handover(reference, original, sent, transit, token, handoff, keep));
    }

    /**
     * Appends {@code other}'s entries (a call sent twice settles both sends). Their payloads are no
     * longer written: an answer then confirms no kept buffer ({@link KeptBuffers}).
     */
    public void addAll(Transfers other) {
        for (Transfer t : entries) {
            if (t instanceof Pin pin) {
                pin.merged();
            }
        }
        for (Transfer t : other.entries) {
            if (t instanceof Pin pin) {
                pin.merged();
            }
        }
        entries.addAll(other.entries);
        other.entries.clear();
    }

    /**
     * @return new transfers holding the same entries (not copies of them): what a send delivers
     *     when its entries are also {@linkplain #addAll added} to a call's earlier ones, which
     *     empties this object
     */
    public Transfers sameEntries() {
        Transfers view = new Transfers();
        view.entries.addAll(entries);
        return view;
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
     * receiver decoded them) are freed. As {@link #settle(boolean) settle(false)}.
     */
    public void settle() {
        settle(false);
    }

    /**
     * The call is over: buffers are unpinned; references nobody claimed (the call ended before its
     * receiver decoded them) are freed.
     *
     * @param answered whether the call's worker answered it (it decoded the payload): a buffer it
     *     was asked to keep counts as kept from now on ({@link KeptBuffers})
     */
    public void settle(boolean answered) {
        for (Transfer t : entries) {
            if (t instanceof Pin pin) {
                pin.settle(answered);
            } else {
                t.settle();
            }
        }
        entries.clear();
    }

    private sealed interface Transfer permits Pin, Move, Handover {
        void rollback();

        void settle();
    }

    private static final class Pin implements Transfer {
        private final SharedBufferMemory memory;
        private final int handoff;
        /** Null once the payload is no longer this send's to write (or it has no word). */
        private KeptWordField keptWord;
        /** The kept-buffer record of the last delivery's worker, and the word planned there. */
        private KeptBuffers plannedAt;
        private long planned;

        Pin(SharedBufferMemory memory, int handoff, KeptWordField keptWord) {
            this.memory = memory;
            this.handoff = handoff;
            this.keptWord = keptWord;
        }

        void deliver(DescriptorChannel channel) {
            endPlan(false); // an earlier delivery went to a worker that did not take the call
            long word = KeptBufferWord.NONE;
            if (keptWord != null) {
                plannedAt = channel.keptBuffers();
                word = plannedAt.plan(memory);
                planned = word;
                if (!keptWord.write(word)) {
                    keptWord = null;
                    endPlan(false);
                    word = KeptBufferWord.NONE;
                }
            }
            if (KeptBufferWord.mode(word) != KeptBufferWord.KEPT) {
                channel.send(handoff, memory.fd());
            }
        }

        void merged() {
            keptWord = null;
        }

        private void endPlan(boolean answered) {
            if (plannedAt != null) {
                plannedAt.ended(planned, answered && keptWord != null);
                plannedAt = null;
                planned = KeptBufferWord.NONE;
            }
        }

        @Override
        public void rollback() {
            endPlan(false);
            memory.release();
        }

        @Override
        public void settle() {
            settle(false);
        }

        void settle(boolean answered) {
            endPlan(answered);
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

    /** A reference on its way to another process (see {@link #handedOver}). */
    private static final class Handover implements Transfer {
        private final BufferReference reference;
        private final NativeBlock original;
        private final NativeBlock sent;
        private final Transit transit;
        private final long token;
        private final int handoff;
        private final boolean keep;
        /** The channel of the last delivery, and whether it went by key (no descriptor sent). */
        private DescriptorChannel deliveredTo;
        private boolean byKey;
        private boolean lent;

        Handover(BufferReference reference, NativeBlock original, NativeBlock sent, Transit transit, long token,
                 int handoff, boolean keep) {
            this.reference = reference;
            this.original = original;
            this.sent = sent;
            this.transit = transit;
            this.token = token;
            this.handoff = handoff;
            this.keep = keep;
        }

        int handoff() {
            return handoff;
        }

        void deliver(DescriptorChannel channel) {
            if (byKey) {
                sent.peerKeeps(deliveredTo); // an earlier delivery's peer keeps it still: it never got this one
            }
            byKey = sent.key() != 0 && sent.peerKeeps() == channel;
            if (byKey) {
                sent.peerKeeps(null); // the peer takes its mapping back into use
            } else {
                channel.send(handoff, sent.fd());
            }
            deliveredTo = channel;
            lent = keep && ReferenceCache.lend(sent, channel);
        }

        @Override
        public void rollback() {
            if (transit == null || transit.reclaim(token) != null) {
                sent.offer(0);
                undeliver();
                if (sent != original) {
                    sent.free();
                }
                BufferReferenceAccess.get().restore(reference);
            }
        }

        private void undeliver() {
            if (lent) {
                ReferenceCache.forget(sent);
            }
            if (byKey) {
                sent.peerKeeps(deliveredTo);
            }
        }

        @Override
        public void settle() {
            if (sent != original) {
                original.free();
            }
            if (transit != null && transit.reclaim(token) == null) {
                return; // claimed in this process (the inline lane): the claimer owns it
            }
            if (lent && !ReferenceCache.isLent(sent)) {
                return; // back here already (the peer took it and moved it back), or its peer is gone
            }
            if (lent && transit == null) {
                // a process worker settles once its host read the answer, which the host decodes (and
                // so takes the reference) first: whether it did is checked at the next sweep
                sent.checkLater(token);
                return;
            }
            if (sent.take(token)) { // the peer never took it: nobody holds it any more
                undeliver();
                sent.free();
            } else if (!lent) {
                sent.unmap(); // the peer owns it; this process keeps no mapping
            } // else: kept for the peer, or back here already
        }
    }
}
