package dev.knitting.internal.os;

import dev.knitting.KnittingException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Zeroed native memory from the C runtime's heap ({@code calloc}/{@code free}), owned by no arena.
 *
 * <p>Why not an arena: memory that is moved from one owner to the next (a {@code BufferReference})
 * must outlive the arena of every owner's view, and a shared arena per block would cost a
 * shared-arena close (~17 us, a handshake with every thread) at each release. Callers give every
 * owner a view bound to a confined arena of its own and free the block exactly once.
 */
@SuppressWarnings("restricted")
public final class NativeHeap {
    private NativeHeap() {
    }

    /**
     * @param size bytes, positive
     * @return the address of {@code size} zeroed bytes, aligned for any primitive
     * @throws KnittingException if native access is disabled or the C heap is exhausted
     */
    public static long allocateZeroed(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        Platforms.nativeAccessProblem().ifPresent(problem -> {
            throw new KnittingException("native memory needs native access: " + problem);
        });
        MemorySegment address;
        try {
            address = (MemorySegment) Handles.CALLOC.invokeExact(1L, size);
        } catch (Throwable t) {
            throw new KnittingException("calloc(1, " + size + ") failed: " + t, t);
        }
        if (address.address() == 0) {
            throw new KnittingException("cannot allocate " + size + " bytes of native memory (calloc returned NULL)");
        }
        return address.address();
    }

    /** Returns a block of {@link #allocateZeroed} to the C heap; call once per block. */
    public static void free(long address) {
        try {
            Handles.FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new KnittingException("free(0x" + Long.toHexString(address) + ") failed: " + t, t);
        }
    }

    /**
     * @return a segment over {@code size} bytes at {@code address}, valid until {@code arena}
     *     closes; the memory itself stays allocated
     */
    public static MemorySegment view(long address, long size, java.lang.foreign.Arena arena) {
        return MemorySegment.ofAddress(address).reinterpret(size, arena, null);
    }

    /** Like {@link #view(long, long, java.lang.foreign.Arena)}, running {@code cleanup} when the arena closes. */
    public static MemorySegment view(long address, long size, java.lang.foreign.Arena arena,
            java.util.function.Consumer<MemorySegment> cleanup) {
        return MemorySegment.ofAddress(address).reinterpret(size, arena, cleanup);
    }

    /** Linked on first use, and only when native access is enabled. */
    private static final class Handles {
        private static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle CALLOC = LINKER.downcallHandle(LINKER.defaultLookup().find("calloc").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG));
        static final MethodHandle FREE = LINKER.downcallHandle(LINKER.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS));
    }
}
