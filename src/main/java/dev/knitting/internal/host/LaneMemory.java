package dev.knitting.internal.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The memory of one lane, shared by the host and its worker: freed when both have let go, so
 * neither side can touch freed memory (a late access hits a closed arena and throws instead).
 */
final class LaneMemory {
    private final Arena arena;
    private final MemorySegment segment;
    private final AtomicInteger holders;

    private LaneMemory(Arena arena, MemorySegment segment, int holders) {
        this.arena = arena;
        this.segment = segment;
        this.holders = new AtomicInteger(holders);
    }

    /** Zeroed native memory for a thread worker's lane, held by the host and the worker. */
    static LaneMemory forThreadWorker(long bytes) {
        Arena arena = Arena.ofShared();
        try {
            return new LaneMemory(arena, arena.allocate(bytes, 128), 2);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    MemorySegment segment() {
        return segment;
    }

    /** Lets go of one holder's share; the last one frees the memory. */
    void release() {
        if (holders.decrementAndGet() == 0) {
            arena.close();
        }
    }
}
