package dev.knitting.internal.share;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * comes back, when the owner frees the memory (the block's trailer says so; a busy process worker
 * looks about once a millisecond, an idle one once per park slice; a host whenever one of its answer
 * pumps goes round, at least once per park slice; both at their reference moves, at most once a
 * millisecond, or whenever they need the room; a park slice is {@code maxPark}, backing off to 2 s
 * while idle, see {@link dev.knitting.internal.lane.IdleSlices}), or when the peer's channel closes
 * (the worker exited, or the pool closed).
 */
public final class ReferenceCache {
    /** Most mappings one process keeps for peers at a time (a race of two senders may add one more each). */
    public static final int CAPACITY = 64;

    private static final Object LOCK = new Object();
    /*
     * Guarded by LOCK: the kept blocks, their keys and their peers, in the first count places of
     * three parallel arrays (a scan of a few longs; nothing boxed or allocated per move).
     */
    private static long[] keys = new long[CAPACITY];
    private static NativeBlock[] blocks = new NativeBlock[CAPACITY];
    private static Object[] peers = new Object[CAPACITY];
    private static int count;
    private static volatile boolean empty = true;
    /** Longest a host goes between sweeps while it moves references. */
    private static final long SWEEP_NANOS = 1_000_000;
    /** When {@link #hasRoom()} last swept (racy: at worst a sweep too many). */
    private static long lastSweep;

    private ReferenceCache() {
    }

    /**
     * @return whether one more mapping may be kept; sweeps freed ones first when there is no room, and
     *     otherwise at most once per {@link #SWEEP_NANOS} (a sweep reads memory the peer writes)
     */
    public static boolean hasRoom() {
        if (empty) {
            return true;
        }
        sweepIfDue();
        synchronized (LOCK) {
            if (count < CAPACITY) {
                return true;
            }
        }
        sweep();
        synchronized (LOCK) {
            return count < CAPACITY; // the memory of a kept mapping is the peer's, alive anyway
        }
    }

    /**
     * Sweeps if {@link #SWEEP_NANOS} passed since the last sweep: a host's answer pumps call it as
     * they go round, so that what the host keeps of memory its worker freed goes even while no
     * reference moves (a volatile read when nothing is kept).
     */
    public static void sweepIfDue() {
        if (empty) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastSweep > SWEEP_NANOS) {
            lastSweep = now;
            sweep();
        }
    }

    /**
     * Keeps {@code block} mapped while {@code peer} owns it.
     *
     * @return false if another block is kept under the same key (then this one is not kept)
     */
    public static boolean lend(NativeBlock block, Object peer) {
        synchronized (LOCK) {
            int at = indexOf(block.key());
            if (at >= 0) {
                if (blocks[at] != block) {
                    return false;
                }
                peers[at] = peer;
                return true;
            }
            if (count == keys.length) { // hasRoom() said yes, but another thread took the room since
                keys = Arrays.copyOf(keys, 2 * count);
                blocks = Arrays.copyOf(blocks, 2 * count);
                peers = Arrays.copyOf(peers, 2 * count);
            }
            keys[count] = block.key();
            blocks[count] = block;
            peers[count] = peer;
            count++;
            empty = false;
            return true;
        }
    }

    /**
     * @return the block kept under {@code key} for {@code peer}, no longer kept (this process owns
     *     it again), or null if this process lends no such block to that peer
     */
    public static NativeBlock takeBack(long key, Object peer) {
        synchronized (LOCK) {
            int at = indexOf(key);
            if (at < 0 || peers[at] != peer) {
                return null;
            }
            NativeBlock block = blocks[at];
            removeAt(at);
            return block;
        }
    }

    /** @return whether {@code block} is kept for a peer now */
    static boolean isLent(NativeBlock block) {
        synchronized (LOCK) {
            int at = indexOf(block.key());
            return at >= 0 && blocks[at] == block;
        }
    }

    /** Stops keeping {@code block} (it is freed, or its move did not happen); its mapping stays the caller's. */
    static void forget(NativeBlock block) {
        if (empty) {
            return;
        }
        synchronized (LOCK) {
            int at = indexOf(block.key());
            if (at >= 0 && blocks[at] == block) {
                removeAt(at);
            }
        }
    }

    /** @return whether any mapping is kept (a volatile read) */
    public static boolean keepsAny() {
        return !empty;
    }

    /** @return how many mappings are kept */
    public static int size() {
        synchronized (LOCK) {
            return count;
        }
    }

    /** @return where {@code key} is kept, or -1 (LOCK held) */
    private static int indexOf(long key) {
        for (int i = 0; i < count; i++) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    /** Removes the entry at {@code at}: the last one takes its place (LOCK held). */
    private static void removeAt(int at) {
        int last = --count;
        keys[at] = keys[last];
        blocks[at] = blocks[last];
        peers[at] = peers[last];
        blocks[last] = null;
        peers[last] = null;
        empty = count == 0;
    }

    /** Unmaps kept mappings whose owner freed the memory. */
    public static void sweep() {
        List<NativeBlock> freed = null;
        synchronized (LOCK) {
            for (int i = count - 1; i >= 0; i--) {
                NativeBlock block = blocks[i];
                if (block.freedByOwner() || block.takeUnchecked()) { // freed there, or never taken
                    if (freed == null) {
                        freed = new ArrayList<>(1);
                    }
                    freed.add(block);
                    removeAt(i);
                }
            }
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
        synchronized (LOCK) {
            for (int i = count - 1; i >= 0; i--) {
                if (peers[i] == peer) {
                    dropped.add(blocks[i]);
                    removeAt(i);
                }
            }
        }
        dropped.forEach(NativeBlock::unmap);
    }
}
