package dev.knitting.internal.host;

import dev.knitting.internal.os.MappedRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host's handle on the memory of one lane. A thread worker's lane is arena memory shared with
 * the worker thread and freed when both have let go, so neither side can touch freed memory (a
 * late access hits a closed arena and throws instead). A process worker's lane is a shared mapping
 * the child maps on its own; the host's release unmaps the host's view and closes its descriptor.
 */
final class LaneMemory {
    /** Longest wait for threads still inside a native call on the memory before freeing it. */
    private static final Duration FREE_WAIT = Duration.ofSeconds(10);

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

    /**
     * Lets go of one holder's share; the last one frees the memory. Freeing waits (at most
     * {@link #FREE_WAIT}) while a thread is inside a native call on the memory: on a process
     * worker's lane, a caller still in the futex call that waits for ring space or rings a doorbell
     * (thread workers' lanes wait and ring in the JVM, with no native call, so their arena closes at
     * once). Callers are not counted as users of an incarnation (see {@code Incarnation#send});
     * retirement has woken them, and they leave within microseconds, or within one park slice if the
     * wake-up came first.
     */
    void release() {
        if (holders.decrementAndGet() == 0) {
            long deadline = System.nanoTime() + FREE_WAIT.toNanos();
            while (!tryFree()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("cannot free lane memory: a thread has been inside a native call"
                            + " on it for " + FREE_WAIT.toSeconds() + " s");
                }
                Thread.yield();
            }
        }
    }

    /** @return whether the memory is freed now; false while a native call holds it */
    private boolean tryFree() {
        try {
            owner.close();
            return true;
        } catch (IllegalStateException inUse) {
            if (segment.scope().isAlive()) {
                return false;
            }
            throw inUse;
        } catch (Exception e) {
            throw new IllegalStateException("cannot free lane memory: " + e.getMessage(), e);
        }
    }
}
