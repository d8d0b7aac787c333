package dev.knitting.internal.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A mapping of shared memory, read-write and {@code MAP_SHARED}, with the descriptor it came from.
 * The segment belongs to a shared arena whose close unmaps it: after {@link #close()} every access
 * through {@link #segment()} or a slice of it throws {@link IllegalStateException} instead of
 * touching unmapped memory. Closing also closes the descriptor when the region owns it.
 *
 * <p>Closing costs a shared-arena close (tens of microseconds and a handshake with every thread):
 * map once per pool or buffer, never per call.
 */
public final class MappedRegion implements AutoCloseable {
    /** {@link #fd()} of a region that kept no descriptor of its memory. */
    public static final int NO_FD = -1;

    private final int fd;
    private final long size;
    private final String name;
    private final Arena arena;
    private final MemorySegment segment;
    private final Runnable closeFd;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once the owned descriptor is closed ({@link #closeDescriptor()} or {@link #close()}). */
    private final AtomicBoolean descriptorClosed = new AtomicBoolean();

    /**
     * @param closeFd closes {@code fd} once the mapping is gone, {@code null} when the caller keeps
     *     the descriptor
     */
    MappedRegion(int fd, long size, String name, Arena arena, MemorySegment segment, Runnable closeFd) {
        this.fd = fd;
        this.size = size;
        this.name = name;
        this.arena = arena;
        this.segment = segment;
        this.closeFd = closeFd;
    }

    /** @return the whole mapping; valid until {@link #close()} */
    public MemorySegment segment() {
        return segment;
    }

    /** @return the mapping's length in bytes */
    public long byteSize() {
        return size;
    }

    /**
     * @return the file descriptor of the memory (still open while this region is open), or
     *     {@link #NO_FD} if the region kept none (the mapping is then the only way to the memory)
     */
    public int fd() {
        return descriptorClosed.get() ? NO_FD : fd;
    }

    /**
     * Closes the owned descriptor now and keeps the mapping: once every process that needs the memory
     * has mapped it (a worker's lane after READY), a descriptor is only a way for others to find it
     * ({@code /proc/<pid>/fd}). Idempotent; does nothing for a region that owns no descriptor.
     */
    public void closeDescriptor() {
        if (closeFd != null && descriptorClosed.compareAndSet(false, true)) {
            closeFd.run();
        }
    }

    /** @return whether {@link #close()} also closes {@link #fd()} */
    public boolean ownsFd() {
        return closeFd != null;
    }

    /** @return the shared-memory name without its leading '/', empty for anonymous memory */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /**
     * @return {@code /proc/self/fd/<fd>}: opening it in this process reaches the same memory, which
     *     is how a child process is handed an anonymous region ({@code ProcessBuilder.redirectInput})
     */
    public Path fdPath() {
        int fd = fd();
        if (fd == NO_FD) {
            throw new IllegalStateException("this region kept no descriptor of its memory: " + this);
        }
        return Path.of("/proc/self/fd/" + fd);
    }

    /** @return whether the mapping is still usable */
    public boolean isOpen() {
        return segment.scope().isAlive();
    }

    /**
     * Unmaps the memory and, if owned, closes the descriptor. Idempotent.
     *
     * @throws IllegalStateException if another thread is accessing the segment right now; the
     *     region stays open then
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException inUse) {
            closed.set(false);
            throw inUse;
        }
        closeDescriptor();
    }

    @Override
    public String toString() {
        return "MappedRegion[fd=" + fd() + ", size=" + size + ", name=" + name + ", open=" + isOpen() + "]";
    }
}
