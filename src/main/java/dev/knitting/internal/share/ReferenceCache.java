package dev.knitting.internal.share;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The mappings of {@code BufferReference} memory this process keeps while a peer process owns it,
 * so that the reference can come back, and go there again, by its {@link NativeBlock#key() key}
 * alone: no descriptor over the channel, no checks, no {@code mmap}, no page faults on pages this
 * process touched before. A sender keeps its mapping when it moves a sealed block to a peer (if
 * there is room) and says so in the descriptor; a receiver that was told so answers with the key
 * only, and the next move of the block to the same peer goes by key too once that peer said it keeps
 * its mapping.
 *
 * <p>What a key can reach: only a block this process moved to that same peer (its descriptor
 * channel) and still lends it. A key of anything else (never issued, lent to another worker, taken
 * back already, or of memory freed since) finds nothing here, and the descriptor then needs a
 * descriptor on the channel, which is missing: {@link dev.knitting.ProtocolException}, nothing mapped.
 *
 * <p>Bounds: at most {@link #CAPACITY} kept mappings per process. A kept mapping goes when its block
 * comes back, when the owner frees the memory (the block's trailer says so; a process worker looks
 * about once a millisecond, a host at its first reference move a millisecond or more after the last
 * look, or whenever it needs the room), or when the peer's channel closes
 * (the worker exited, or the pool closed).
 */
public final class ReferenceCache {
    /** Most mappings one process keeps for peers at a time. */
    public static final int CAPACITY = 64;

    /** Guarded by itself: the kept blocks by key. */
    private static final Map<Long, Lent> LENT = new HashMap<>();
    private static volatile boolean empty = true;
    /** Longest a host goes between sweeps while it moves references. */
    private static final long SWEEP_NANOS = 1_000_000;
    /** When {@link #hasRoom()} last swept (racy: at worst a sweep too many). */
    private static long lastSweep;

    private ReferenceCache() {
    }

    private record Lent(NativeBlock block, Object peer) {
    }

    /**
     * @return whether one more mapping may be kept; sweeps freed ones first when there is no room, and
     *     otherwise at most once per {@link #SWEEP_NANOS} (a sweep reads memory the peer writes)
     */
    public static boolean hasRoom() {
        if (empty) {
            return true;
        }
        long now = System.nanoTime();
        if (now - lastSweep > SWEEP_NANOS) {
            lastSweep = now;
            sweep();
        }
        synchronized (LENT) {
            if (LENT.size() < CAPACITY) {
                return true;
            }
        }
        sweep();
        synchronized (LENT) {
            return LENT.size() < CAPACITY; // the memory of a kept mapping is the peer's, alive anyway
        }
    }

    /**
     * Keeps {@code block} mapped while {@code peer} owns it.
     *
     * @return false if another block is kept under the same key (then this one is not kept)
     */
    public static boolean lend(NativeBlock block, Object peer) {
        synchronized (LENT) {
            Lent old = LENT.get(block.key());
            if (old != null && old.block() != block) {
                return false;
            }
            LENT.put(block.key(), new Lent(block, peer));
            empty = false;
            return true;
        }
    }

    /**
     * @return the block kept under {@code key} for {@code peer}, no longer kept (this process owns
     *     it again), or null if this process lends no such block to that peer
     */
    public static NativeBlock takeBack(long key, Object peer) {
        synchronized (LENT) {
            Lent lent = LENT.get(key);
            if (lent == null || lent.peer() != peer) {
                return null;
            }
            LENT.remove(key);
            empty = LENT.isEmpty();
            return lent.block();
        }
    }

    /** @return whether {@code block} is kept for a peer now */
    static boolean isLent(NativeBlock block) {
        synchronized (LENT) {
            Lent lent = LENT.get(block.key());
            return lent != null && lent.block() == block;
        }
    }

    /** Stops keeping {@code block} (it is freed, or its move did not happen); its mapping stays the caller's. */
    static void forget(NativeBlock block) {
        if (empty) {
            return;
        }
        synchronized (LENT) {
            Lent lent = LENT.get(block.key());
            if (lent != null && lent.block() == block) {
                LENT.remove(block.key());
                empty = LENT.isEmpty();
            }
        }
    }

    /** @return whether any mapping is kept (a volatile read) */
    public static boolean keepsAny() {
        return !empty;
    }

    /** @return how many mappings are kept */
    public static int size() {
        synchronized (LENT) {
            return LENT.size();
        }
    }

    /** Unmaps kept mappings whose owner freed the memory. */
    public static void sweep() {
        List<NativeBlock> freed = null;
        synchronized (LENT) {
            for (Iterator<Lent> it = LENT.values().iterator(); it.hasNext(); ) {
                NativeBlock block = it.next().block();
                if (block.freedByOwner() || block.takeUnchecked()) { // freed there, or never taken
                    if (freed == null) {
                        freed = new ArrayList<>(1);
                    }
                    freed.add(block);
                    it.remove();
                }
            }
            empty = LENT.isEmpty();
        }
        if (freed != null) {
            for (NativeBlock block : freed) {
                if (block.freedByOwner()) {
                    block.unmap();
                } else {
                    block.free(); // a move the peer never took: nobody else holds it
                }
            }
        }
    }

    /** Unmaps every mapping kept for {@code peer}: its channel closed (it exited, or the pool closed). */
    static void dropPeer(Object peer) {
        List<NativeBlock> dropped = new ArrayList<>(1);
        synchronized (LENT) {
            for (Iterator<Lent> it = LENT.values().iterator(); it.hasNext(); ) {
                Lent lent = it.next();
                if (lent.peer() == peer) {
                    dropped.add(lent.block());
                    it.remove();
                }
            }
            empty = LENT.isEmpty();
        }
        dropped.forEach(NativeBlock::unmap);
    }
}
