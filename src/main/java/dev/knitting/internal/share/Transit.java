package dev.knitting.internal.share;

import dev.knitting.ProtocolException;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code BufferReference}s on their way through one pool, by a random token. A sender puts a
 * block here before its descriptor is published; the receiver claims it with the token from the
 * descriptor. Whoever removes a block first owns it: the receiver (claim), or the sender taking it
 * back (a send that failed, or a call that ended before anyone decoded it). A descriptor whose
 * token, address and size do not match a block in transit here is forged and claims nothing.
 */
public final class Transit {
    private final ConcurrentHashMap<Long, Entry> blocks = new ConcurrentHashMap<>();

    /** @return the token that claims {@code block} with its own address */
    public long put(NativeBlock block) {
        return put(block, block.address());
    }

    /**
     * @param claimAddress what a claim's address must say: the block's address, or for a block on its
     *     way to a process worker the descriptor's handoff field (this process may still claim it
     *     itself, on the inline lane)
     * @return the token that claims {@code block}
     */
    public long put(NativeBlock block, long claimAddress) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Entry entry = new Entry(block, claimAddress);
        while (true) {
            long token = random.nextLong();
            if (token != 0 && blocks.putIfAbsent(token, entry) == null) {
                return token;
            }
        }
    }

    /**
     * @return the block this descriptor names, now the caller's
     * @throws ProtocolException if no such block is in transit (forged, or delivered already)
     */
    public NativeBlock claim(long token, long address, long size) {
        Entry entry = blocks.get(token);
        if (entry == null || entry.claimAddress() != address || entry.block().size() != size
                || !blocks.remove(token, entry)) {
            throw new ProtocolException("BufferReference descriptor (token " + Long.toHexString(token) + ", address 0x"
                    + Long.toHexString(address) + ", size " + size + ") names no reference in transit in this pool"
                    + " (forged, or delivered already)");
        }
        return entry.block();
    }

    /** @return the block if it was still in transit (now the caller's again), else null */
    public NativeBlock reclaim(long token) {
        Entry entry = blocks.remove(token);
        return entry == null ? null : entry.block();
    }

    /** @return how many blocks are in transit */
    public int size() {
        return blocks.size();
    }

    /** Frees every block still in transit: the pool is gone, nobody will claim them. */
    public void freeAll() {
        for (Long token : blocks.keySet()) {
            Entry entry = blocks.remove(token);
            if (entry != null) {
                entry.block().free();
            }
        }
    }

    private record Entry(NativeBlock block, long claimAddress) {
    }
}
