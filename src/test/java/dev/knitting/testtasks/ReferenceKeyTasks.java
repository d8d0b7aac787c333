package dev.knitting.testtasks;

import dev.knitting.Task;
import dev.knitting.internal.os.SealedMemory;
import dev.knitting.internal.share.BufferReferenceAccess;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.share.NativeBlock;
import dev.knitting.unsafe.BufferReference;

/**
 * A hostile process worker's attempts to reach host memory through the key path of
 * {@code BufferReference} moves: it answers with a reference that claims to travel by key alone
 * (no descriptor on the channel) under a key the test chooses.
 */
public final class ReferenceKeyTasks {
    /** Size of the forged references. */
    public static final int SIZE = 4096;
    private static BufferReference held;

    /** Keeps the reference it got (the worker owns it now) and answers its size. */
    public static final Task<BufferReference, Long> HOLD = Task.of(reference -> {
        held = reference;
        return reference.byteSize();
    });

    /** Adds one to the reference's first byte and moves it back (touches one page of a large reference). */
    public static final Task<BufferReference, BufferReference> BUMP_FIRST = Task.of(reference -> {
        java.lang.foreign.MemorySegment s = reference.segment();
        s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) (s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) + 1));
        return reference;
    });

    /**
     * Answers a reference of {@link #SIZE} bytes of the worker's own memory, labelled with the key
     * {@code key} and marked as one the host keeps a mapping of, so it travels by key alone.
     */
    public static final Task<Long, BufferReference> FORGE_KEY = Task.of(key -> {
        NativeBlock block = NativeBlock.ofReceived(SealedMemory.create(NativeBlock.DEBUG_NAME,
                NativeBlock.mappedSize(SIZE)), SIZE, key);
        block.peerKeeps(DescriptorChannel.fromHost());
        return BufferReferenceAccess.get().adopt(block);
    });

    /**
     * Keeps the reference it got, like {@link #HOLD}, but first writes the trailer's freed word: it
     * tells its host the memory was freed while it still holds it.
     */
    public static final Task<BufferReference, Long> HOLD_AND_SAY_FREED = Task.of(reference -> {
        long size = reference.byteSize();
        java.lang.foreign.MemorySegment trailer = dev.knitting.internal.os.NativeHeap.view(
                reference.segment().address() + NativeBlock.trailerOffset(size), 64, java.lang.foreign.Arena.global());
        trailer.set(java.lang.foreign.ValueLayout.JAVA_LONG, NativeBlock.FREED, 1L);
        held = reference;
        return size;
    });

    /** Gives back the reference {@link #HOLD} or {@link #HOLD_AND_SAY_FREED} kept. */
    public static final Task<Integer, BufferReference> GIVE_HELD = Task.of(ignored -> {
        BufferReference reference = held;
        held = null;
        return reference;
    });

    private ReferenceKeyTasks() {
    }

    /** @return the key a reference of this (host) process moves between processes under; it stays owned */
    public static long keyOf(BufferReference reference) {
        NativeBlock block = BufferReferenceAccess.get().detach(reference);
        BufferReferenceAccess.get().restore(reference);
        return block.key();
    }
}
