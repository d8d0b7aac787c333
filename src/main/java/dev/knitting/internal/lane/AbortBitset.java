package dev.knitting.internal.lane;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Abort flags in shared memory: bit {@code slot % 64} of long {@code slot / 64}. The host raises a
 * call's slot to ask the worker to stop it; the slot allocator clears it before reuse. Bit
 * operations are atomic ({@code getAndBitwiseOr/And}), reads are acquire.
 */
public final class AbortBitset {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private final MemorySegment words;
    private final int capacity;

    /**
     * @param words native memory of at least {@code ceil(capacity / 64)} longs, 8-byte aligned
     * @param capacity number of slots, {@code >= 0}
     */
    public AbortBitset(MemorySegment words, int capacity) {
        Objects.requireNonNull(words, "words");
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity=" + capacity + " must not be negative");
        }
        long bytes = ((capacity + 63L) >>> 6) * Long.BYTES;
        if (words.byteSize() < bytes || !words.isNative() || (words.address() & (Long.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("words must be native, 8-byte aligned and hold " + bytes
                    + " bytes for capacity=" + capacity + ": " + words);
        }
        this.words = words.asSlice(0, bytes);
        this.capacity = capacity;
    }

    /** @return number of slots */
    public int capacity() {
        return capacity;
    }

    /** @param slot the slot to raise */
    public void raise(int slot) {
        long exactCallSite = (long) LONG.getAndBitwiseOr(words, wordOffset(slot), 1L << slot);
    }

    /** @param slot the slot to clear */
    public void clear(int slot) {
        long exactCallSite = (long) LONG.getAndBitwiseAnd(words, wordOffset(slot), ~(1L << slot));
    }

    /**
     * @param slot the slot to test
     * @return whether it is raised (acquire read)
     */
    public boolean isRaised(int slot) {
        return ((long) LONG.getAcquire(words, wordOffset(slot)) & (1L << slot)) != 0;
    }

    private long wordOffset(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IllegalArgumentException("slot=" + slot + " must be in [0, " + capacity + ")");
        }
        return (long) (slot >>> 6) * Long.BYTES;
    }
}
