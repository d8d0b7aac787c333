package dev.knitting.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The copy floor of a payload round trip: {@code MemorySegment.copy} of the byte[] into a native
 * segment ("there") and back into a byte[] ("back"), per operation. One operation moves the payload
 * twice, as an echo must at the very least; a single one-way copy runs about twice this rate.
 */
public final class CopyFloorSide {
    private Arena arena;
    private MemorySegment segment;
    private byte[] back;

    /** Allocates the native segment (shared arena, like a pool's lane) and the return array. */
    public void open(int bytes) {
        arena = Arena.ofShared();
        segment = arena.allocate(bytes, 64);
        back = new byte[bytes];
    }

    /** Copies there and back, back to back. */
    public Measurement copy(RoundSpec spec, byte[] payload) throws Exception {
        MemorySegment seg = segment;
        byte[] dst = back;
        int n = payload.length;
        return TinyCallLoops.backToBack(spec, () -> {
            MemorySegment.copy(payload, 0, seg, ValueLayout.JAVA_BYTE, 0, n);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, dst, 0, n);
            if (dst[n - 1] != payload[n - 1]) {
                throw new IllegalStateException("copy lost bytes");
            }
        }, n, "");
    }

    /** Frees the segment. */
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
