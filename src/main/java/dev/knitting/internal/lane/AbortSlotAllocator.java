package dev.knitting.internal.lane;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Host-local, lock-free allocator of abort slots (nothing of it lives in shared memory). A slot
 * handed out has its bit in the {@link AbortBitset} cleared first, so a stale raise of a previous
 * call never aborts the next one. Thread-safe.
 */
public final class AbortSlotAllocator {
    private final AbortBitset bits;
    private final AtomicLongArray used;
    private final AtomicInteger inUse = new AtomicInteger();
    private volatile int nextWord;

    /** @param bits the shared bitset whose slots this allocator hands out */
    public AbortSlotAllocator(AbortBitset bits) {
        this.bits = Objects.requireNonNull(bits, "bits");
        this.used = new AtomicLongArray((bits.capacity() + 63) >>> 6);
    }

    /** @return slots available in total */
    public int capacity() {
        return bits.capacity();
    }

    /** @return slots handed out and not released */
    public int inUse() {
        return inUse.get();
    }

    /** @return a free slot, its abort bit cleared, or -1 when all are in use */
    public int tryAcquire() {
        int words = used.length();
        int start = nextWord;
        for (int i = 0; i < words; i++) {
            int w = (start + i) % words;
            long valid = validMask(w);
            long current = used.get(w);
            long free;
            while ((free = ~current & valid) != 0) {
                long bit = Long.lowestOneBit(free);
                long witness = used.compareAndExchange(w, current, current | bit);
                if (witness == current) {
                    int slot = (w << 6) + Long.numberOfTrailingZeros(bit);
                    bits.clear(slot);
                    inUse.incrementAndGet();
                    if (w != start) {
                        nextWord = w;
                    }
                    return slot;
                }
                current = witness;
            }
        }
        return -1;
    }

    /**
     * @param slot a slot returned by {@link #tryAcquire()} and not released since
     * @throws IllegalStateException if the slot is not in use
     */
    public void release(int slot) {
        if (slot < 0 || slot >= bits.capacity()) {
            throw new IllegalArgumentException("slot=" + slot + " must be in [0, " + bits.capacity() + ")");
        }
        int w = slot >>> 6;
        long bit = 1L << slot;
        long current = used.get(w);
        while (true) {
            if ((current & bit) == 0) {
                throw new IllegalStateException("slot=" + slot + " is not in use");
            }
            long witness = used.compareAndExchange(w, current, current & ~bit);
            if (witness == current) {
                inUse.decrementAndGet();
                return;
            }
            current = witness;
        }
    }

    private long validMask(int word) {
        int bitsInWord = Math.min(64, bits.capacity() - (word << 6));
        return bitsInWord == 64 ? -1L : (1L << bitsInWord) - 1;
    }
}
