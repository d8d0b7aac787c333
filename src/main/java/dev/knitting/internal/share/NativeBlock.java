package dev.knitting.internal.share;

import dev.knitting.internal.os.NativeHeap;
import dev.knitting.internal.os.SealedMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Zeroed native memory behind a {@code BufferReference}: allocated once, freed exactly once. Either
 * heap memory ({@code calloc}), which only this process can reach, or a sealed memfd
 * ({@link SealedMemory}), which a process worker can map when the reference moves there.
 *
 * <p>{@link #allocate} takes heap memory below {@link #SHAREABLE_FROM} bytes, so small references
 * between threads cost what they always did: a sealed memfd costs 10 to 20 times as much as
 * {@code calloc} up to 1 MiB (page faults on shared memory, and system calls; measured with
 * {@code ReferenceAllocationCost}). From {@link #SHAREABLE_FROM} on it costs 1.5 to 4 times as much,
 * less than the copy into a memfd that the first send to a process worker would otherwise take, so
 * large blocks are sealed memfds from the start. A heap block moving to a process is copied into a
 * sealed memfd at that send ({@link #copyToShareable()}); a block that is a memfd already moves on as
 * it is.
 *
 * <p>A sealed block carries a random {@link #key()} and a 64-byte trailer after its bytes (not part
 * of the reference's segment) that both processes which map it use to move it without a descriptor
 * ({@link ReferenceCache}): the <em>claim</em> word holds the token of the move in flight, which the
 * receiver swaps for 0 to take the block (so a move nobody took is known to its sender when the call
 * is over), and the <em>freed</em> word tells a peer that keeps a mapping that the owner freed the
 * memory. A peer can write both words; what this process decides from them only ever concerns memory
 * that peer was given already.
 */
public final class NativeBlock {
    /** The name every reference memfd has in {@code /proc/<pid>/fd}; a receiver checks it. */
    public static final String DEBUG_NAME = "knitting-ref";
    /** Blocks of at least this many bytes are sealed memfds from the start (where memfds exist). */
    public static final long SHAREABLE_FROM = 16L << 20;
    /** Largest block size whose memfd (bytes, padding and trailer) still has a {@code long} size. */
    public static final long MAX_SIZE = Long.MAX_VALUE - 256;
    private static final long TRAILER_BYTES = 64;
    private static final long CLAIM = 0;
    /** Offset in the trailer of the freed word (public for tests that play a peer lying in it). */
    public static final long FREED = 8;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final long address;
    private final long size;
    private final SealedMemory.Block sealed;
    private final long key;
    /** The trailer, null for heap memory; touched only under this block's monitor while not {@link #freed}. */
    private final MemorySegment trailer;
    /** The descriptor channel whose peer keeps a mapping of this block (it said so), or null. */
    private volatile Object peerKeeps;
    /** Guarded by this. */
    private boolean freed;
    /** Guarded by this: the token of this process's last move of the block whose taking is not checked yet, or 0. */
    private long unchecked;

    private NativeBlock(long address, long size, SealedMemory.Block sealed, long key) {
        this.address = address;
        this.size = size;
        this.sealed = sealed;
        this.key = key;
        this.trailer = sealed == null ? null
                : NativeHeap.view(sealed.address() + trailerOffset(size), TRAILER_BYTES, Arena.global());
    }

    /** @param size bytes, positive */
    public static NativeBlock allocate(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("BufferReference size must be positive: size=" + size);
        }
        if (size >= SHAREABLE_FROM && size <= MAX_SIZE && SealedMemory.available()) {
            try {
                return shareable(size);
            } catch (RuntimeException e) {
                // no memfd here (a sandbox, a limit): heap memory serves every worker kind but processes
            }
        }
        return new NativeBlock(NativeHeap.allocateZeroed(size), size, null, 0);
    }

    /**
     * @param size bytes, positive
     * @return a block for a copy of {@code size} bytes about to be written: like {@link #allocate},
     *     but a sealed block gets all its pages at once
     */
    public static NativeBlock allocateForCopy(long size) {
        if (size >= SHAREABLE_FROM && size <= MAX_SIZE && SealedMemory.available()) {
            try {
                return shareable(size, true);
            } catch (RuntimeException e) {
                // no memfd here: heap memory
            }
        }
        return allocate(size);
    }

    /** @return a new zeroed sealed block of {@code size} bytes with a fresh key */
    public static NativeBlock shareable(long size) {
        return shareable(size, false);
    }

    private static NativeBlock shareable(long size, boolean populate) {
        SealedMemory.Block block = SealedMemory.create(DEBUG_NAME, mappedSize(size), populate);
        return new NativeBlock(block.address(), size, block, newKey());
    }

    /**
     * @param block a peer's memfd, checked and mapped with {@link #mappedSize}{@code (size)} bytes
     * @param key the key the peer's descriptor gave it, 0 for none
     * @return a block owning {@code block} (its mapping and descriptor)
     */
    public static NativeBlock ofReceived(SealedMemory.Block block, long size, long key) {
        return new NativeBlock(block.address(), size, block, key);
    }

    /** @return the memfd size of a block of {@code size} bytes: its bytes, padding to 64 and the trailer */
    public static long mappedSize(long size) {
        if (size <= 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("BufferReference size out of range: size=" + size);
        }
        return trailerOffset(size) + TRAILER_BYTES;
    }

    /** @return where the trailer of a block of {@code size} bytes starts, from the block's address */
    public static long trailerOffset(long size) {
        return (size + 63) & ~63L;
    }

    private static long newKey() {
        long key;
        do {
            key = ThreadLocalRandom.current().nextLong();
        } while (key == 0);
        return key;
    }

    /** @return a sealed copy of this heap block's bytes (this block stays as it is) */
    public NativeBlock copyToShareable() {
        NativeBlock copy = shareable(size, true);
        MemorySegment.copy(NativeHeap.view(address, size, Arena.global()), 0,
                NativeHeap.view(copy.address, size, Arena.global()), 0, size);
        return copy;
    }

    public long address() {
        return address;
    }

    public long size() {
        return size;
    }

    /** @return whether another process can map this block ({@link #fd()} is its memfd) */
    public boolean isShareable() {
        return sealed != null;
    }

    /** @return the memfd of a shareable block, -1 for heap memory */
    public int fd() {
        return sealed == null ? -1 : sealed.fd();
    }

    /** @return the key both processes that map this block know it by, 0 if it has none */
    public long key() {
        return key;
    }

    /** @return the channel whose peer keeps a mapping of this block, or null */
    public Object peerKeeps() {
        return peerKeeps;
    }

    /** Records which peer keeps a mapping of this block (null: none that this process knows of). */
    public void peerKeeps(Object channel) {
        peerKeeps = channel;
    }

    /** Puts {@code token} into the claim word: the move it names may be taken once. */
    public synchronized void offer(long token) {
        if (!freed && trailer != null) {
            LONG.setRelease(trailer, CLAIM, token); // the descriptor is published after it, with release
        }
    }

    /** @return whether the move named {@code token} was still untaken here (and now is taken) */
    public synchronized boolean take(long token) {
        return !freed && trailer != null && token != 0 && LONG.compareAndSet(trailer, CLAIM, token, 0L);
    }

    /**
     * Leaves the check whether the peer took the move named {@code token} to {@link #takeUnchecked()}
     * (a sweep), off the path of the next call: reading the claim word now would pull its cache line
     * away from the peer that is about to write it.
     */
    public synchronized void checkLater(long token) {
        unchecked = token;
    }

    /** @return whether the move whose check was left for later was never taken (it is taken now) */
    synchronized boolean takeUnchecked() {
        long token = unchecked;
        unchecked = 0;
        return token != 0 && take(token);
    }

    /** This process owns the block now: whatever the words said before, nobody freed it. */
    public synchronized void owned() {
        unchecked = 0; // the peer moved it back: it took the last move
        if (!freed && trailer != null && (long) LONG.getVolatile(trailer, FREED) != 0) {
            LONG.setVolatile(trailer, FREED, 0L);
        }
    }

    /** @return whether the owner (another process) freed the memory, as the trailer says */
    public synchronized boolean freedByOwner() {
        return !freed && trailer != null && (long) LONG.getVolatile(trailer, FREED) != 0;
    }

    /**
     * Frees the memory; later calls do nothing. Only the block's current owner may call it: a peer
     * that keeps a mapping of it is told through the trailer, and this process's own kept mapping
     * (if any) goes.
     */
    public void free() {
        if (sealed != null) {
            ReferenceCache.forget(this);
        }
        synchronized (this) {
            if (freed) {
                return;
            }
            freed = true;
            if (sealed != null) {
                LONG.setVolatile(trailer, FREED, 1L);
                SealedMemory.release(sealed);
                return;
            }
        }
        NativeHeap.free(address);
    }

    /** Drops this process's mapping of memory a peer owns (not freeing it there); later calls do nothing. */
    void unmap() {
        synchronized (this) {
            if (freed) {
                return;
            }
            freed = true;
        }
        if (sealed != null) {
            SealedMemory.release(sealed);
        } else {
            NativeHeap.free(address);
        }
    }

    public synchronized boolean isFreed() {
        return freed;
    }
}
