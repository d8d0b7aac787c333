package dev.knitting.internal.share;

/**
 * The kept-buffer word of a shared-buffer descriptor from a host to its process worker: whether the
 * worker takes the buffer's descriptor from the channel as usual ({@link #NONE}), takes it and keeps
 * the mapping in a slot ({@link #KEEP}), or finds the buffer in that slot without any descriptor
 * ({@link #KEPT}). Layout: bits 0-1 the mode, bits 2-7 the slot, bits 8-63 the slot's generation
 * (positive), which tells a late request for a slot from the current one.
 */
public final class KeptBufferWord {
    /** Slots of kept buffers per process worker, the most mappings a host asks one worker to keep. */
    public static final int SLOTS = 16;
    /** The descriptor is handed over; nothing is kept for later sends. */
    public static final int NONE = 0;
    /** The descriptor is handed over; the worker keeps the mapping in the slot. */
    public static final int KEEP = 1;
    /** No descriptor: the worker keeps the mapping in the slot. */
    public static final int KEPT = 2;
    private static final long MAX_GENERATION = (1L << 55) - 1;

    private KeptBufferWord() {
    }

    /** @return the word for {@code mode} on {@code slot} at {@code generation} */
    public static long of(int mode, int slot, long generation) {
        if (mode != KEEP && mode != KEPT || slot < 0 || slot >= SLOTS || generation <= 0
                || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("mode=" + mode + ", slot=" + slot + ", generation=" + generation);
        }
        return generation << 8 | (long) slot << 2 | mode;
    }

    /** @return the mode of {@code word}: {@link #NONE}, {@link #KEEP} or {@link #KEPT} (3 is malformed) */
    public static int mode(long word) {
        return (int) (word & 3);
    }

    /** @return the slot {@code word} names (check {@link #valid} first) */
    public static int slot(long word) {
        return (int) (word >>> 2 & 63);
    }

    /** @return the generation of the slot {@code word} names */
    public static long generation(long word) {
        return word >>> 8;
    }

    /** @return whether {@code word} is one {@link #of} can make, or {@link #NONE} */
    public static boolean valid(long word) {
        if (word == NONE) {
            return true;
        }
        int mode = mode(word);
        return (mode == KEEP || mode == KEPT) && slot(word) < SLOTS && generation(word) > 0;
    }
}
