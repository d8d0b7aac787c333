package dev.knitting.internal.share;

import java.lang.ref.WeakReference;

/**
 * A host's record of the buffers it asked one process worker to keep mapped ({@link KeptBufferWord}),
 * so that a buffer sent call after call crosses the descriptor channel once: the first send hands
 * the descriptor over and asks the worker to keep the mapping in a slot; once a call that did so was
 * answered, later sends of the same buffer name the slot only.
 *
 * <p>Why a send by slot always finds the mapping: the worker never evicts a promised mapping to make
 * room, only when this host reuses the slot, or when no process uses the buffer any more, which
 * cannot happen while this host's own mapping, which the send pins, is alive. A slot is reused only
 * while no call in flight names it, and a reuse gets a new generation, so a late request for the slot
 * cannot overwrite a newer one in the worker. A slot counts as confirmed only after a call that handed
 * the buffer over was answered (the worker decoded it), never on the worker's word: the worker
 * claims nothing here.
 *
 * <p>Bounds: {@link KeptBufferWord#SLOTS} slots per worker, holding this host's mappings weakly (a
 * slot never keeps a buffer mapped here). Thread-safe.
 */
public final class KeptBuffers {
    private final Slot[] slots = new Slot[KeptBufferWord.SLOTS];
    private long generations;
    private long uses;

    private static final class Slot {
        WeakReference<SharedBufferMemory> memory;
        long generation;
        boolean confirmed;
        int inFlight;
        long lastUse;
    }

    /**
     * Plans one send of {@code memory} (pinned by the caller) to the worker: by slot if the worker
     * keeps it, else handed over with a request to keep it in a free slot, else plainly handed over.
     * A word other than {@link KeptBufferWord#NONE} must be given back to {@link #ended}.
     *
     * @return the kept-buffer word of the send
     */
    public synchronized long plan(SharedBufferMemory memory) {
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            if (slot != null && slot.memory.get() == memory) {
                slot.inFlight++;
                slot.lastUse = ++uses;
                return KeptBufferWord.of(slot.confirmed ? KeptBufferWord.KEPT : KeptBufferWord.KEEP, i,
                        slot.generation);
            }
        }
        int chosen = -1;
        for (int i = 0; i < slots.length; i++) {
            Slot slot = slots[i];
            if (slot == null || slot.inFlight == 0 && !alive(slot)) {
                chosen = i; // empty, or its buffer is gone here
                break;
            }
            if (slot.inFlight == 0 && (chosen < 0 || slot.lastUse < slots[chosen].lastUse)) {
                chosen = i; // least recently used
            }
        }
        if (chosen < 0) {
            return KeptBufferWord.NONE; // every slot is named by a call in flight
        }
        Slot slot = slots[chosen] == null ? slots[chosen] = new Slot() : slots[chosen];
        slot.memory = new WeakReference<>(memory);
        slot.generation = ++generations;
        slot.confirmed = false;
        slot.inFlight = 1;
        slot.lastUse = ++uses;
        return KeptBufferWord.of(KeptBufferWord.KEEP, chosen, slot.generation);
    }

    private static boolean alive(Slot slot) {
        SharedBufferMemory held = slot.memory.get();
        return held != null && held.isOpen();
    }

    /**
     * Ends a send {@link #plan} planned: {@code answered} if the worker answered its call (then a
     * hand-over with a keep request has made the slot confirmed).
     */
    public synchronized void ended(long word, boolean answered) {
        if (word == KeptBufferWord.NONE) {
            return;
        }
        Slot slot = slots[KeptBufferWord.slot(word)];
        if (slot == null || slot.generation != KeptBufferWord.generation(word)) {
            return;
        }
        slot.inFlight--;
        if (answered && KeptBufferWord.mode(word) == KeptBufferWord.KEEP) {
            slot.confirmed = true;
        }
    }

    /** @return how many slots hold a buffer the worker confirmed keeping */
    public synchronized int confirmed() {
        int n = 0;
        for (Slot slot : slots) {
            n += slot != null && slot.confirmed && alive(slot) ? 1 : 0;
        }
        return n;
    }
}
