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
 */
public final class MappingCache {
    private static final Map<Token, SharedBufferMemory> KEPT = new LinkedHashMap<>(16, 0.75f, true);
    private static volatile int capacity;
    private static volatile boolean empty = true;

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
            if (capacity == 0 || memory.unusedEverywhere()) {
                return false;
            }
            KEPT.put(memory.token(), memory);
            empty = false;
            Iterator<SharedBufferMemory> oldest = KEPT.values().iterator();
            while (KEPT.size() > capacity && oldest.hasNext()) {
                evicted.add(oldest.next());
                oldest.remove();
            }
        }
        evicted.forEach(SharedBufferMemory::unmap);
        return true;
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
