package dev.knitting.internal.share;

import dev.knitting.internal.os.NativeHeap;

import java.util.concurrent.atomic.AtomicBoolean;

/** Zeroed native memory behind a {@code BufferReference}: allocated once, freed exactly once. */
public final class NativeBlock {
    private final long address;
    private final long size;
    private final AtomicBoolean freed = new AtomicBoolean();

    private NativeBlock(long address, long size) {
        this.address = address;
        this.size = size;
    }

    /** @param size bytes, positive */
    public static NativeBlock allocate(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("BufferReference size must be positive: size=" + size);
        }
        return new NativeBlock(NativeHeap.allocateZeroed(size), size);
    }

    public long address() {
        return address;
    }

    public long size() {
        return size;
    }

    /** Frees the memory; later calls do nothing. Only the block's current owner may call it. */
    public void free() {
        if (freed.compareAndSet(false, true)) {
            NativeHeap.free(address);
        }
    }

    public boolean isFreed() {
        return freed.get();
    }
}
