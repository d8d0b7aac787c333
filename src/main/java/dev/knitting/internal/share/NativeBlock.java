package dev.knitting.internal.share;

import dev.knitting.internal.os.NativeHeap;
import dev.knitting.internal.os.SealedMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Zeroed native memory behind a {@code BufferReference}: allocated once, freed exactly once. Either
 * heap memory ({@code calloc}), which only this process can reach, or a sealed memfd
 * ({@link SealedMemory}), which a process worker can map when the reference moves there.
 *
 * <p>{@link #allocate} always takes heap memory, so references between threads cost what they
 * always did: a sealed memfd costs 10 to 20 times as much as {@code calloc} up to 1 MiB and still
 * 1.5 to 4 times as much at 16 to 64 MiB (page faults on shared memory, and system calls; measured
 * with {@code ReferenceAllocationCost}). A heap block moving to a process is copied into a sealed
 * memfd at that send ({@link #copyToShareable()}); a block that is a memfd already (one received
 * from a process) moves on as it is.
 */
public final class NativeBlock {
    /** The name every reference memfd has in {@code /proc/<pid>/fd}; a receiver checks it. */
    public static final String DEBUG_NAME = "knitting-ref";

    private final long address;
    private final long size;
    private final SealedMemory.Block sealed;
    private final AtomicBoolean freed = new AtomicBoolean();

    private NativeBlock(long address, long size, SealedMemory.Block sealed) {
        this.address = address;
        this.size = size;
        this.sealed = sealed;
    }

    /** @param size bytes, positive */
    public static NativeBlock allocate(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("BufferReference size must be positive: size=" + size);
        }
        return new NativeBlock(NativeHeap.allocateZeroed(size), size, null);
    }

    /** @return a block owning {@code block} (its mapping and descriptor) */
    public static NativeBlock ofSealed(SealedMemory.Block block) {
        return new NativeBlock(block.address(), block.size(), block);
    }

    /** @return a sealed copy of this heap block's bytes (this block stays as it is) */
    public NativeBlock copyToShareable() {
        NativeBlock copy = ofSealed(SealedMemory.create(DEBUG_NAME, size));
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

    /** Frees the memory; later calls do nothing. Only the block's current owner may call it. */
    public void free() {
        if (freed.compareAndSet(false, true)) {
            if (sealed != null) {
                SealedMemory.release(sealed);
            } else {
                NativeHeap.free(address);
            }
        }
    }

    public boolean isFreed() {
        return freed.get();
    }
}
