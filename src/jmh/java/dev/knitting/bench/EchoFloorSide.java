package dev.knitting.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The floor of a copying {@code byte[]} echo: what any implementation must at least do per round
 * trip when the receiver gets its own array each way (the semantics of a {@code byte[]} payload),
 * done on one thread with no framing, no hand-off and no waiting.
 * <ul>
 * <li>Between threads of one JVM: two copies, each into a fresh array (the worker's argument, the
 *     caller's result).</li>
 * <li>Between processes: four copies, two of them into fresh arrays (caller's array to shared
 *     memory, shared memory to the worker's fresh array, and the same way back), since another
 *     JVM's heap is out of reach.</li>
 * </ul>
 * Beside {@link CopyFloorSide} (two copies into arrays allocated once) it shows what the fresh
 * arrays and the process boundary cost by themselves, and so the most a {@code byte[]} echo can
 * reach on this machine, whatever the lane does.
 */
final class EchoFloorSide implements Side {
    /** Where the echo's receiver lives. */
    enum Boundary { THREAD, PROCESS }

    private final Boundary boundary;
    private final byte[] payload;
    private Arena arena;
    private MemorySegment there;
    private MemorySegment back;

    private EchoFloorSide(Boundary boundary, int size) {
        this.boundary = boundary;
        this.payload = Scenarios.payload(size);
    }

    /** @return a contender echoing a payload of {@code size} bytes at the floor of {@code boundary} */
    static Contender contender(String name, Boundary boundary, int size) {
        return Side.contender(name, new EchoFloorSide(boundary, size), EchoFloorSide::echo);
    }

    @Override
    public void open() {
        if (boundary == Boundary.PROCESS) {
            arena = Arena.ofShared();
            there = arena.allocate(payload.length, 64);
            back = arena.allocate(payload.length, 64);
        }
    }

    private Measurement echo(RoundSpec spec) throws Exception {
        int n = payload.length;
        return TinyCallLoops.backToBack(spec, () -> {
            byte[] result = boundary == Boundary.THREAD
                    ? Arrays.copyOf(Arrays.copyOf(payload, n), n)
                    : viaShared(viaShared(payload, there), back);
            if (result[n - 1] != payload[n - 1] || result == payload) {
                throw new IllegalStateException("echo floor lost bytes");
            }
        }, n, "");
    }

    /** @return a fresh array holding {@code bytes}, copied through {@code shared} */
    private static byte[] viaShared(byte[] bytes, MemorySegment shared) {
        MemorySegment.copy(bytes, 0, shared, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return shared.asSlice(0, bytes.length).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
