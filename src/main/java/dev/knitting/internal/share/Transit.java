package dev.knitting.internal.share;

import dev.knitting.ProtocolException;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code BufferReference}s on their way through one pool, by a random token. A sender puts a
 * block here before its descriptor is published; the receiver claims it with the token from the
 * descriptor. Whoever removes a block first owns it: the receiver (claim), or the sender taking it
 * back (a send that failed, or a call that ended before anyone decoded it). A descriptor whose
 * token, address and size do not match a block in transit here is forged and claims nothing.
 *
 * <p>Layout of a token: its low {@value #INDEX_BITS} bits name a slot of a fixed table
 * ({@value #SLOTS} slots), the rest is random; the all-ones index names the overflow map, used only
 * when the slots probed are taken (thousands of references in flight). A move then costs the
 * receiver one slot read and one compare-and-set, on a line no other move touches, instead of
 * a hash map's bin, node, boxed key and entry written by another thread.
 */
public final class Transit {
    private static final int INDEX_BITS = 12;
    private static final int INDEX_MASK = (1 << INDEX_BITS) - 1;
    /** Slots of the table; the last index value means "in the overflow map". */
    private static final int SLOTS = INDEX_MASK;
    private static final int OVERFLOW = INDEX_MASK;
    /** Slots a put tries, from a random one, before it uses the overflow map. */
    private static final int PROBES = 8;

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);
    private final ConcurrentHashMap<Long, Entry> overflow = new ConcurrentHashMap<>();

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
        long tag = random.nextLong() & ~(long) INDEX_MASK;
        int start = random.nextInt(SLOTS);
        for (int i = 0; i < PROBES; i++) {
            int index = (start + i) % SLOTS;
            long token = tag | index;
            if (token != 0 && slots.get(index) == null
                    && slots.compareAndSet(index, null, new Entry(token, block, claimAddress))) {
                return token;
            }
        }
        while (true) {
            long token = (random.nextLong() & ~(long) INDEX_MASK) | OVERFLOW;
            if (overflow.putIfAbsent(token, new Entry(token, block, claimAddress)) == null) {
                return token;
            }
        }
    }

    /**
     * @return the block this descriptor names, now the caller's
     * @throws ProtocolException if no such block is in transit (forged, or delivered already)
     */
    public NativeBlock claim(long token, long address, long size) {
        Entry entry = find(token);
        if (entry == null || entry.claimAddress() != address || entry.block().size() != size || !remove(entry)) {
            throw new ProtocolException("BufferReference descriptor (token " + Long.toHexString(token) + ", address 0x"
                    + Long.toHexString(address) + ", size " + size + ") names no reference in transit in this pool"
                    + " (forged, or delivered already)");
        }
        return entry.block();
    }

    /** @return the block if it was still in transit (now the caller's again), else null */
    public NativeBlock reclaim(long token) {
        Entry entry = find(token);
        return entry != null && remove(entry) ? entry.block() : null;
    }

    private Entry find(long token) {
        int index = (int) (token & INDEX_MASK);
        Entry entry = index == OVERFLOW ? overflow.get(token) : slots.get(index);
        return entry != null && entry.token() == token ? entry : null;
    }

    /** @return whether this call removed {@code entry} (a new entry per put: no ABA) */
    private boolean remove(Entry entry) {
        int index = (int) (entry.token() & INDEX_MASK);
        return index == OVERFLOW ? overflow.remove(entry.token(), entry) : slots.compareAndSet(index, entry, null);
    }

    /** @return how many blocks are in transit */
    public int size() {
        int n = overflow.size();
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** Frees every block still in transit: the pool is gone, nobody will claim them. */
    public void freeAll() {
        for (int i = 0; i < SLOTS; i++) {
            Entry entry = slots.getAndSet(i, null);
            if (entry != null) {
                entry.block().free();
            }
        }
        for (Long token : overflow.keySet()) {
            Entry entry = overflow.remove(token);
            if (entry != null) {
                entry.block().free();
            }
        }
    }

    private record Entry(long token, NativeBlock block, long claimAddress) {
    }
}
