package dev.knitting.unsafe;

import dev.knitting.PayloadException;
import dev.knitting.internal.os.NativeHeap;
import dev.knitting.internal.share.BufferReferenceAccess;
import dev.knitting.internal.share.NativeBlock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Native memory that is <em>moved</em>, never copied, between a caller and its workers
 * (experimental).
 *
 * <p>Sending a reference (as a call's argument or a task's answer, also inside records,
 * collections or an {@link dev.knitting.Envelope}) moves it: the sender's reference and every
 * segment taken from it become inaccessible at once (their arena is closed, so access throws
 * {@link IllegalStateException} instead of touching memory someone else owns now), and the
 * receiver gets a new reference owning the same bytes. A send that fails (an oversized payload, a
 * closed pool) leaves the reference with the sender; a call that ends before its receiver took the
 * reference frees it, and so does a pool's shutdown for references still on their way.
 *
 * <p>Like a confined {@link Arena}, a reference is used by one thread at a time: the first thread
 * that takes a {@link #segment()} owns it until the reference is moved or released, and other
 * threads get {@link WrongThreadException}. Segments are cheap confined views; sending costs a
 * confined-arena close (tens of nanoseconds), not a shared one.
 *
 * <p>Memory: a reference below 16 MiB is heap memory ({@code calloc}); from 16 MiB on it is a memfd
 * sealed against shrinking and growing, which costs a little more to allocate but can go to a process
 * worker as it is. Between threads of one process only its address moves. To a process worker (Linux)
 * a heap reference's bytes are copied once, at that send, into such a memfd, and the memfd moves: it
 * travels over the worker's descriptor channel ({@code SCM_RIGHTS}), the worker maps it and owns it.
 * References come back from a process worker the same way.
 *
 * <p>Moves by key: the sender of a memfd reference keeps its mapping while the other process owns
 * the reference (at most 64 such mappings per process), so the reference can come back by a random
 * key alone, without a descriptor, a check or a mapping; and once the worker has said it keeps its
 * mapping too, the next move there goes by key as well. A reference that goes back and forth between
 * a caller and the same worker therefore costs no system call after its first trip, whatever its
 * size. Sending still closes every segment the sender took, exactly as above. A key reaches only
 * memory this process moved to that same worker and the worker owns now; any other key (never
 * issued, lent to another worker, taken back already, or of memory freed since) fails the call with
 * {@link dev.knitting.ProtocolException} and maps nothing. A kept mapping of memory its owner freed
 * goes within about a millisecond in a busy process worker, and otherwise within one park slice of
 * the pool's {@link dev.knitting.IdlePolicy} (250 ms by default, backing off to 2 s while the worker
 * or the host's answer collector stays idle) or at the next reference move; every kept mapping goes
 * when the worker exits or the pool closes.
 *
 * <p>Trust: a process worker may run hostile code, and a worker that had a reference's memory can
 * keep a mapping of it and write on after it gave the reference back. So a reference that comes
 * back from a process worker of a pool whose {@link dev.knitting.Permission} is confined (the default
 * {@code strict()}) is <em>copied</em> into fresh memory of the caller's process, which the worker
 * never saw, and the worker's memory is let go: what the caller holds cannot change under it. With
 * {@link dev.knitting.Permission#unsafe()} the worker is trusted and its memory adopted as it is
 * (no copy); a worker that kept a mapping could still write into it. A reference whose memory is not
 * a sealed memfd of the described size is refused with {@link dev.knitting.ProtocolException} before
 * anything is mapped.
 *
 * <p>Release what you own: {@link #release()} (or {@link #close()}) frees the memory; after a move
 * or a release they do nothing, so try-with-resources is always right. A reference nobody can
 * reach any more is freed by a cleaner as a last resort.
 */
public final class BufferReference implements AutoCloseable {
    private static final int OWNED = 0;
    private static final int MOVED = 1;
    private static final int RELEASED = 2;
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "knitting-reference-cleaner");
        t.setDaemon(true);
        return t;
    });

    static {
        BufferReferenceAccess.register(new Access());
    }

    private final NativeBlock block;
    /** Shared with the cleaner, which frees the block only while it is still {@link #OWNED} here. */
    private final AtomicInteger state = new AtomicInteger(OWNED);
    /** Guarded by this: unregistered when the reference moves (nothing left to free here), again on a restore. */
    private Cleaner.Cleanable cleanable;
    /** Guarded by this: the live view and the thread it is confined to, or nulls. */
    private Arena viewArena;
    private MemorySegment view;
    private Thread owner;

    private BufferReference(NativeBlock block) {
        this.block = block;
        this.cleanable = CLEANER.register(this, new FreeIfOwned(block, state));
    }

    /**
     * Allocates native memory owned by the new reference.
     *
     * @param size bytes, positive
     * @return a reference owning {@code size} zeroed bytes of native memory
     */
    public static BufferReference allocate(long size) {
        return new BufferReference(NativeBlock.allocate(size));
    }

    /**
     * Copies bytes into native memory owned by the new reference.
     *
     * @param bytes the bytes to copy, at least one
     * @return a reference owning a native copy of {@code bytes}
     */
    public static BufferReference copyOf(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        BufferReference reference = allocate(bytes.length);
        MemorySegment.copy(bytes, 0, NativeHeap.view(reference.block.address(), bytes.length, Arena.global()),
                ValueLayout.JAVA_BYTE, 0, bytes.length);
        return reference;
    }

    /**
     * Gives the calling thread access to the memory.
     *
     * @return the memory, confined to the calling thread (which owns this reference from now on);
     *     the same segment on every call from that thread
     * @throws IllegalStateException if the reference was moved or released
     * @throws WrongThreadException if another thread owns it
     */
    public synchronized MemorySegment segment() {
        checkOwned();
        if (view == null) {
            Arena arena = Arena.ofConfined();
            // the cleanup keeps this reference reachable while any segment is, so the cleaner never
            // frees memory a live segment can still reach
            view = NativeHeap.view(block.address(), block.size(), arena, keepAlive(this));
            viewArena = arena;
            owner = Thread.currentThread();
        }
        return view;
    }

    /** {@return a copy of the bytes} */
    public synchronized byte[] toByteArray() {
        checkOwned();
        if (block.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("BufferReference of " + block.size() + " bytes does not fit a byte[]");
        }
        return NativeHeap.view(block.address(), block.size(), Arena.global()).toArray(ValueLayout.JAVA_BYTE);
    }

    /** {@return the size in bytes} */
    public long byteSize() {
        return block.size();
    }

    /** {@return whether this reference still owns its memory (not moved, not released)} */
    public boolean isOwned() {
        return state.get() == OWNED;
    }

    /**
     * Frees the memory and closes every segment taken from it. Does nothing if the reference was
     * moved or released already.
     *
     * @throws WrongThreadException if another thread owns the reference
     */
    public synchronized void release() {
        if (state.get() != OWNED) {
            return;
        }
        closeView();
        cleanable.clean();
    }

    /** Same as {@link #release()}. */
    @Override
    public void close() {
        release();
    }

    private void checkOwned() {
        int s = state.get();
        if (s == MOVED) {
            throw new IllegalStateException("BufferReference was moved: it was sent, and its receiver owns the memory now");
        }
        if (s == RELEASED) {
            throw new IllegalStateException("BufferReference was released");
        }
        Thread o = owner;
        if (o != null && o != Thread.currentThread()) {
            throw new WrongThreadException("BufferReference is confined to thread " + o.getName()
                    + ", which took a segment of it; use it, send it or release it there");
        }
    }

    private void closeView() {
        Thread o = owner;
        if (o != null && o != Thread.currentThread()) {
            throw new WrongThreadException("BufferReference is confined to thread " + o.getName()
                    + ", which took a segment of it; use it, send it or release it there");
        }
        if (viewArena != null) {
            viewArena.close();
        }
        viewArena = null;
        view = null;
        owner = null;
    }

    private static java.util.function.Consumer<MemorySegment> keepAlive(BufferReference reference) {
        return segment -> java.lang.ref.Reference.reachabilityFence(reference);
    }

    @Override
    public String toString() {
        String s = switch (state.get()) {
            case OWNED -> "owned";
            case MOVED -> "moved";
            default -> "released";
        };
        return "BufferReference[size=" + block.size() + ", " + s + "]";
    }

    /** The cleaner's action: frees the block unless it was moved or released meanwhile. */
    private record FreeIfOwned(NativeBlock block, AtomicInteger state) implements Runnable {
        @Override
        public void run() {
            if (state.compareAndSet(OWNED, RELEASED)) {
                block.free();
            }
        }
    }

    private static final class Access implements BufferReferenceAccess {
        @Override
        public NativeBlock detach(BufferReference reference) {
            synchronized (reference) {
                int s = reference.state.get();
                if (s != OWNED) {
                    throw new PayloadException("BufferReference cannot be sent: it was " + (s == MOVED
                            ? "sent already (sending moves it; the receiver owns it now)" : "released"));
                }
                try {
                    reference.closeView();
                } catch (WrongThreadException e) {
                    throw new PayloadException("BufferReference cannot be sent from thread "
                            + Thread.currentThread().getName() + ": " + e.getMessage(), e);
                }
                reference.state.set(MOVED);
                // the memory is the receiver's now: unregister here, so that no collector and no
                // cleaner thread has anything to do for a moved reference
                reference.cleanable.clean();
                return reference.block;
            }
        }

        @Override
        public void restore(BufferReference reference) {
            synchronized (reference) {
                if (reference.state.compareAndSet(MOVED, OWNED)) {
                    reference.cleanable = CLEANER.register(reference, new FreeIfOwned(reference.block, reference.state));
                }
            }
        }

        @Override
        public BufferReference adopt(NativeBlock block) {
            return new BufferReference(block);
        }
    }
}
