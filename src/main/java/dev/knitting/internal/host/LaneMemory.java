package dev.knitting.internal.host;

import dev.knitting.internal.os.MappedRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host's handle on the memory of one lane. A thread worker's lane is arena memory shared with
 * the worker thread and freed when both have let go, so neither side can touch freed memory (a
 * late access hits a closed arena and throws instead). A process worker's lane is a shared mapping
 * the child maps on its own; the host's release unmaps the host's view and closes its descriptor.
 */
final class LaneMemory {
    private final AutoCloseable owner;
    private final MemorySegment segment;
    private final MappedRegion region;
    private final AtomicInteger holders;

    private LaneMemory(AutoCloseable owner, MemorySegment segment, MappedRegion region, int holders) {
        this.owner = owner;
        this.segment = segment;
        this.region = region;
        this.holders = new AtomicInteger(holders);
    }

    /** Zeroed native memory for a thread worker's lane, held by the host and the worker. */
    static LaneMemory forThreadWorker(long bytes) {
        Arena arena = Arena.ofShared();
        try {
            return new LaneMemory(arena, arena.allocate(bytes, 128), null, 2);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A process worker's lane: a shared mapping the host holds alone. */
    static LaneMemory forProcessWorker(MappedRegion region) {
        return new LaneMemory(region, region.segment(), region, 1);
    }

    MemorySegment segment() {
        return segment;
    }

    /** @return the mapping of a process worker's lane, or {@code null} for a thread worker */
    MappedRegion region() {
        return region;
    }

    /** Lets go of one holder's share; the last one frees the memory. */
    void release() {
        if (holders.decrementAndGet() == 0) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot free lane memory: " + e.getMessage(), e);
            }
        }
    }
}
