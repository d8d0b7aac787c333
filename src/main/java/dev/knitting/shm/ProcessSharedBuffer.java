package dev.knitting.shm;

import dev.knitting.internal.os.SharedMemory;
import dev.knitting.internal.share.SharedBufferAccess;
import dev.knitting.internal.share.SharedBufferMemory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Memory that several processes map at once: the way to hand large binary data (pixels, tensors,
 * columns) to workers without copying it. As a payload, in a call's argument or answer (also
 * inside records, collections or an {@link dev.knitting.Envelope}), only a small descriptor
 * travels; the receiver sees the very same bytes, with thread and process workers alike. Writes
 * on either side are visible to the other; ordering them is the program's business (for example:
 * the host writes, calls, and reads what the task wrote after the call completes).
 *
 * <p>Anonymous buffers ({@link #create(long)}) have no name another process could open: the host
 * hands a process worker the descriptor of each buffer a call carries over the worker's own
 * {@code AF_UNIX} channel ({@code SCM_RIGHTS}), and the worker checks it against a 128-bit random
 * token before anything is mapped; a worker never opens anything of its host in {@code /proc}
 * (a confined one cannot). The host reaches a worker's buffer through the worker's descriptor. The task's handle is closed when its call is over; the worker keeps the
 * mapping for the next call while the buffer is still in use, and unmaps it once no process uses
 * it any more. Named buffers ({@link #create(String, long)}) are
 * POSIX shared-memory objects under {@code /dev/shm} that unrelated processes can {@link #open};
 * {@link #unlink} removes the name. Memory is reserved at creation, so a buffer larger than the
 * free space of its tmpfs fails here with a clear error rather than a {@code SIGBUS} later.
 *
 * <p>Memory a process worker could shrink is never mapped by its host: truncated memory under a
 * mapping faults on the next access ({@code SIGBUS}, in Java an {@code InternalError}), and a
 * worker may run hostile code. Anonymous buffers are memfds sealed against shrinking and growing
 * before any other process can reach them, and a host maps a worker's buffer only after checking
 * the descriptor it opened: a memfd of this library, of the described size, carrying that seal.
 * Named buffers cannot be sealed (POSIX shared memory is a plain tmpfs file that whoever opens it
 * may truncate), so the two directions differ:
 * <ul>
 *   <li>a named buffer the host created (or opened) and handed to a worker comes back as the host's
 *       own mapping; until workers are confined, a worker can still truncate it through its name,
 *       so prefer anonymous buffers with process workers;
 *   <li>a named buffer a process worker created or opened itself is refused: the call fails with
 *       {@link dev.knitting.ProtocolException}, whatever the pool's {@link dev.knitting.SharedMemoryMode}.
 *       Return an anonymous buffer instead, or create the named buffer in the host and let the
 *       task fill it. Copying it instead would be safe too, but would silently break the promise
 *       that both sides see the very same bytes; a host that accepts the risk can still
 *       {@link #open} a name the worker returns as a string.
 * </ul>
 *
 * <p>Handles: {@code create} and {@code open} return an <em>owning</em> handle; closing it unmaps
 * the memory once no call still carries it (segments then throw {@link IllegalStateException}
 * instead of touching unmapped memory). {@link #slice} and the buffers a task receives from a
 * thread worker's caller are views: closing them only closes that handle. A buffer received from
 * a process worker is owning. Closing any handle is always safe; use try-with-resources.
 *
 * <p>Linux only so far (memfd and POSIX shm through the FFM API); elsewhere creation throws
 * {@link dev.knitting.KnittingException} saying why.
 */
public final class ProcessSharedBuffer implements AutoCloseable {
    static {
        SharedBufferAccess.register(new Access());
    }

    private final SharedBufferMemory memory;
    private final long offset;
    private final long length;
    private final boolean owning;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProcessSharedBuffer(SharedBufferMemory memory, long offset, long length, boolean owning) {
        this.memory = memory;
        this.offset = offset;
        this.length = length;
        this.owning = owning;
    }

    /**
     * Creates an anonymous buffer of zeroed bytes.
     *
     * @param size bytes, positive
     * @return the buffer, open and mapped
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws dev.knitting.KnittingException if the memory cannot be created or reserved
     */
    public static ProcessSharedBuffer create(long size) {
        return new ProcessSharedBuffer(SharedBufferMemory.createAnonymous(size), 0, size, true);
    }

    /**
     * Creates a named buffer of zeroed bytes, readable and writable by this user only.
     *
     * @param name a file name under {@code /dev/shm} (no '/'); choose an unguessable one
     * @param size bytes, positive
     * @return the buffer, open and mapped
     * @throws dev.knitting.KnittingException if the name is taken or the memory cannot be reserved
     */
    public static ProcessSharedBuffer create(String name, long size) {
        Objects.requireNonNull(name, "name");
        return new ProcessSharedBuffer(SharedBufferMemory.createNamed(name, size), 0, size, true);
    }

    /**
     * Opens a named buffer some process created with {@link #create(String, long)}.
     *
     * @param name the name given to {@link #create(String, long)}
     * @return the buffer, open and mapped over its whole size
     * @throws dev.knitting.KnittingException if there is no such name or it is not a buffer
     */
    public static ProcessSharedBuffer open(String name) {
        Objects.requireNonNull(name, "name");
        SharedBufferMemory memory = SharedBufferMemory.openNamed(name);
        return new ProcessSharedBuffer(memory, 0, memory.length(), true);
    }

    /**
     * Removes a name; every mapping of the buffer stays valid until closed.
     *
     * @param name the name given to {@link #create(String, long)}
     * @return false if no object had that name
     */
    public static boolean unlink(String name) {
        Objects.requireNonNull(name, "name");
        return SharedMemory.unlink(name);
    }

    /**
     * Gives access to the bytes.
     *
     * @return the bytes of this buffer (or slice), valid until the memory is unmapped
     * @throws IllegalStateException if this handle is closed
     */
    public MemorySegment segment() {
        checkOpen();
        return memory.data().asSlice(offset, length);
    }

    /** {@return the bytes as a {@link ByteBuffer} (big-endian, as always), valid until the memory is unmapped} */
    public ByteBuffer asByteBuffer() {
        return segment().asByteBuffer();
    }

    /**
     * Cuts out a part of this buffer, sharing its memory.
     *
     * @param offset the first byte of the view, from the start of this buffer (or slice)
     * @param length the bytes of the view
     * @return a view of {@code [offset, offset + length)} of this buffer; it travels as a
     *     descriptor too, and stays valid while the buffer's memory is mapped
     * @throws IndexOutOfBoundsException if the range is not inside this buffer
     */
    public ProcessSharedBuffer slice(long offset, long length) {
        checkOpen();
        Objects.checkFromIndexSize(offset, length, this.length);
        return new ProcessSharedBuffer(memory, this.offset + offset, length, false);
    }

    /** {@return the size of this buffer (or slice) in bytes} */
    public long byteSize() {
        return length;
    }

    /** {@return the shared-memory name of a named buffer; empty for anonymous ones} */
    public Optional<String> name() {
        return Optional.ofNullable(memory.name());
    }

    /** {@return whether this handle is open and its memory mapped} */
    public boolean isOpen() {
        return !closed.get() && memory.isOpen();
    }

    /**
     * Closes this handle; an owning handle also releases the memory, which is unmapped once no
     * call carries it any more. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && owning) {
            memory.release();
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("ProcessSharedBuffer is closed");
        }
    }

    @Override
    public String toString() {
        return "ProcessSharedBuffer[" + (memory.name() == null ? "anonymous" : "name=" + memory.name())
                + ", offset=" + offset + ", size=" + length + (isOpen() ? "" : ", closed") + "]";
    }

    private static final class Access implements SharedBufferAccess {
        @Override
        public SharedBufferMemory memory(ProcessSharedBuffer buffer) {
            return buffer.memory;
        }

        @Override
        public long offset(ProcessSharedBuffer buffer) {
            return buffer.offset;
        }

        @Override
        public boolean isClosed(ProcessSharedBuffer buffer) {
            return buffer.closed.get();
        }

        @Override
        public ProcessSharedBuffer handle(SharedBufferMemory memory, long offset, long length, boolean owning) {
            return new ProcessSharedBuffer(memory, offset, length, owning);
        }
    }
}
