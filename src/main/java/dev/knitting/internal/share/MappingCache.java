package dev.knitting.internal.share;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mappings of peer buffers a process worker keeps after the call that brought them is over,
 * so the next call on the same buffer neither maps it again nor takes a page fault on every page
 * it touches again (a pipeline sends the same buffers call after call).
 *
 * <p>Why this cannot keep memory alive that its owner freed: a kept mapping is unmapped as soon as
 * no process uses the buffer any more ({@link SharedBufferHeader} counts users in the buffer's
 * header; the worker loop calls {@link #sweep()} about once a millisecond), and at most
 * {@link #enable capacity} mappings are kept, the least recently used going first. A mapping is
 * only taken back into use for a descriptor that arrived in a call, whose sender holds the buffer
 * until the call is over. Only process workers enable it; hosts never keep mappings.
 *
 * <p>Promised mappings ({@link KeptBufferWord}): the host may ask its process worker to keep a
 * buffer's mapping in one of {@link KeptBufferWord#SLOTS} slots, and then sends that buffer by token
 * alone (no descriptor on the channel). A promised mapping is never evicted to make room (the LRU
 * bound counts only the others); it goes when the host puts another buffer into its slot, or, like
 * every kept mapping, once no process uses the buffer any more. The host only sends by slot while
 * its own mapping of that buffer is alive, so that last case never meets a send by slot (unless a
 * process sharing the buffer lies in its header's user count: then the call fails with a
 * {@link dev.knitting.ProtocolException}, nothing is mapped). A slot names only a mapping its host
 * handed over to this process; a send by slot of anything else maps nothing and fails.
 */
public final class MappingCache {
    private static final Map<Token, SharedBufferMemory> KEPT = new LinkedHashMap<>(16, 0.75f, true);
    private static volatile int capacity;
    private static volatile boolean empty = true;
    /** Guarded by {@link #KEPT}: the mappings the host asked to keep, by slot. */
    private static final Promise[] PROMISED = new Promise[KeptBufferWord.SLOTS];

    /** Longest a send by slot waits for another call's release of the same mapping to finish. */
    private static final long RELEASE_WAIT_NANOS = 1_000_000_000L;

    private record Promise(SharedBufferMemory memory, long generation) {
    }

    private MappingCache() {
    }

    /** Lets this process keep up to {@code mappings} unused peer mappings (process workers only). */
    public static void enable(int mappings) {
        if (mappings < 0) {
            throw new IllegalArgumentException("mappings=" + mappings + " must not be negative");
        }
        capacity = mappings;
    }

    /**
     * @return whether any mapping is kept now (volatile reads), also of a {@code BufferReference}
     *     this process worker lent its host ({@link ReferenceCache}); always false where not enabled
     */
    public static boolean keepsAny() {
        return !empty || capacity > 0 && ReferenceCache.keepsAny();
    }

    static boolean enabled() {
        return capacity > 0;
    }

    /** @return whether {@code memory} is kept (else the caller unmaps it) */
    static boolean keep(SharedBufferMemory memory) {
        List<SharedBufferMemory> evicted = new ArrayList<>(1);
        synchronized (KEPT) {
            boolean promised = isPromised(memory);
            if (capacity == 0 && !promised || memory.unusedEverywhere()) {
                return false;
            }
            KEPT.put(memory.token(), memory);
            empty = false;
            int unpromised = 0;
            for (SharedBufferMemory kept : KEPT.values()) {
                unpromised += isPromised(kept) ? 0 : 1;
            }
            Iterator<SharedBufferMemory> oldest = KEPT.values().iterator();
            while (unpromised > capacity && oldest.hasNext()) {
                SharedBufferMemory candidate = oldest.next();
                if (!isPromised(candidate)) {
                    evicted.add(candidate);
                    oldest.remove();
                    unpromised--;
                }
            }
        }
        evicted.forEach(SharedBufferMemory::unmap);
        return true;
    }

    /** @return whether the host asked to keep {@code memory} (a slot holds it) */
    static boolean promised(SharedBufferMemory memory) {
        synchronized (KEPT) {
            return isPromised(memory);
        }
    }

    private static boolean isPromised(SharedBufferMemory memory) {
        for (Promise p : PROMISED) {
            if (p != null && p.memory() == memory) {
                return true;
            }
        }
        return false;
    }

    /**
     * Keeps {@code memory}, which the host just handed over, in {@code slot} for later sends by slot,
     * in place of what the slot held; a request of an older generation than the slot's (a call
     * decoded late) changes nothing.
     */
    public static void promise(int slot, long generation, SharedBufferMemory memory) {
        synchronized (KEPT) {
            Promise old = PROMISED[slot];
            if (old == null || old.generation() <= generation) {
                PROMISED[slot] = new Promise(memory, generation);
            }
        }
    }

    /**
     * @return the mapping promised in {@code slot} at {@code generation}, in use with one more
     *     reference, if it is of the buffer with {@code token} and {@code length} bytes and still
     *     mapped; else null (nothing is mapped)
     */
    public static SharedBufferMemory promisedMapping(int slot, long generation, Token token, long length) {
        long deadline = System.nanoTime() + RELEASE_WAIT_NANOS;
        while (true) {
            synchronized (KEPT) {
                Promise p = PROMISED[slot];
                if (p == null || p.generation() != generation || !p.memory().token().equals(token)
                        || p.memory().length() != length || !p.memory().isOpen()) {
                    return null;
                }
                SharedBufferMemory memory = p.memory();
                if (memory.tryRetain()) {
                    return memory;
                }
                if (KEPT.get(token) == memory) {
                    KEPT.remove(token);
                    empty = KEPT.isEmpty();
                    memory.revive();
                    return memory;
                }
            }
            // released by another call just now and on its way into KEPT (or unmapped): look again
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.onSpinWait();
        }
    }

    /** @return the kept mapping of {@code token}, in use again with one reference, or null */
    static SharedBufferMemory revive(Token token) {
        SharedBufferMemory memory;
        synchronized (KEPT) {
            memory = KEPT.remove(token);
            empty = KEPT.isEmpty();
        }
        if (memory != null) {
            memory.revive();
        }
        return memory;
    }

    /**
     * Unmaps kept mappings of buffers no process uses any more, and of references their owner freed
     * ({@link ReferenceCache#sweep()}); callers check {@link #keepsAny()} first.
     */
    public static void sweep() {
        ReferenceCache.sweep();
        List<SharedBufferMemory> unused = new ArrayList<>(1);
        synchronized (KEPT) {
            for (Iterator<SharedBufferMemory> it = KEPT.values().iterator(); it.hasNext(); ) {
                SharedBufferMemory memory = it.next();
                if (memory.unusedEverywhere()) {
                    unused.add(memory);
                    it.remove();
                }
            }
            empty = KEPT.isEmpty();
        }
        unused.forEach(SharedBufferMemory::unmap);
    }
}
