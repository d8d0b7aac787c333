package dev.knitting.internal.share;

import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared buffers this process maps, by token. Weak: the registry never keeps a mapping alive,
 * so an unreachable one can still be cleaned.
 */
final class SharedBufferRegistry {
    private static final ConcurrentHashMap<Token, WeakReference<SharedBufferMemory>> MAPPINGS = new ConcurrentHashMap<>();

    private SharedBufferRegistry() {
    }

    static void register(SharedBufferMemory memory) {
        MAPPINGS.put(memory.token(), new WeakReference<>(memory));
    }

    /** Removes the entry of {@code token} if it is this mapping's (or a collected one's). */
    static void unregister(Token token, dev.knitting.internal.os.MappedRegion region) {
        MAPPINGS.computeIfPresent(token, (key, ref) -> {
            SharedBufferMemory memory = ref.get();
            return memory == null || memory.region() == region ? null : ref;
        });
    }

    /**
     * @return the live (or kept) mapping with this token, with a reference added for the caller,
     *     or null
     */
    static SharedBufferMemory retain(Token token) {
        WeakReference<SharedBufferMemory> ref = MAPPINGS.get(token);
        SharedBufferMemory memory = ref == null ? null : ref.get();
        if (memory == null) {
            return null;
        }
        return memory.tryRetain() ? memory : MappingCache.revive(token);
    }
}
