package dev.knitting.bench;

import dev.knitting.Permission;
import dev.knitting.PoolBuilder;
import dev.knitting.WorkerRuntime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static dev.knitting.bench.ZeroCopySide.Carrier;

/**
 * G8 of BENCHMARKS.md (64 MiB through a {@code ProcessSharedBuffer} or a {@code BufferReference},
 * against a tiny call of the same pool kind: the goal is "round trip <= tiny call + 1 us,
 * independent of size") and the size sweep (shared buffer against {@code byte[]} echo from 1 KiB
 * to 64 MiB: where zero-copy overtakes copying; and {@code BufferReference} against {@code byte[]} echo
 * on a process worker). Every figure is a p50 round trip; the two
 * contenders of a scenario call through one pool ({@link SharedPool}), and G8's two alternate call
 * by call ({@link CallByCall}).
 */
final class ZeroCopyScenarios {
    private static final int KIB = 1 << 10;
    private static final int MIB = 1 << 20;

    private ZeroCopyScenarios() {
    }

    static List<Scenario> all(boolean quick) {
        List<Scenario> s = new ArrayList<>();
        s.add(g8("ProcessSharedBuffer", "thread", Carrier.SHARED_BUFFER, b -> b.threads(1), quick));
        s.add(g8("ProcessSharedBuffer", "process", Carrier.SHARED_BUFFER,
                b -> b.runtime(WorkerRuntime.PROCESS).threads(1), quick));
        s.add(g8("BufferReference", "thread", Carrier.REFERENCE, b -> b.threads(1), quick));
        // strict (the default): the worker's reference is copied on its way back (see BufferReference)
        s.add(g8("BufferReference", "process", Carrier.REFERENCE, b -> b.runtime(WorkerRuntime.PROCESS).threads(1),
                quick));
        s.add(g8("BufferReference", "process unsafe", Carrier.REFERENCE,
                b -> b.runtime(WorkerRuntime.PROCESS).threads(1).permission(Permission.unsafe()), quick));
        int[] sizes = quick ? new int[] {4 * KIB, MIB, 64 * MIB}
                : new int[] {KIB, 16 * KIB, 256 * KIB, MIB, 16 * MIB, 64 * MIB};
        for (int size : sizes) {
            s.add(sweep(size, quick));
        }
        for (int size : sizes) {
            s.add(processReferenceSweep(size, quick));
        }
        return s;
    }

    private static Scenario g8(String what, String kind, Carrier carrier, UnaryOperator<PoolBuilder> pool,
            boolean quick) {
        int size = 64 * MIB;
        // call by call: the goal is what the carrier adds to a tiny call, not which placement each round met
        Supplier<List<Contender>> contenders = () -> ZeroCopySide.callByCall("knitting " + kind + " " + what
                + " 64 MiB echo", "knitting " + kind + " tiny call (same pool, call by call)", new SharedPool(pool),
                carrier, size);
        List<Scenario.Line> lines = List.of(new Scenario.Line("64 MiB " + what + " round trip " + kind
                + " p50 vs tiny call", Metric.percentile(50), new Scenario.Goal(
                "round trip <= tiny-call round trip + 1 us, independent of size",
                new Scenario.Goal.AtMostAbove(1_000))));
        // The warm-up also warms a process worker's JIT: a fresh worker JVM needs ~1 s before its
        // lane loop is compiled, and shorter warm-ups measure its interpreter (~9 us round trips).
        return quick
                ? new Scenario("G8", contenders, lines, 1, 5, RoundSpec.timed(1000), RoundSpec.timed(150), 30_000, 0)
                : new Scenario("G8", contenders, lines, 2, 11, RoundSpec.timed(1000), RoundSpec.timed(500), 60_000, 0);
    }

    /** Where moving a reference to a process worker (and back, copied: strict) beats copying a byte[]. */
    private static Scenario processReferenceSweep(int size, boolean quick) {
        return sweep(size, quick, "process", b -> b.runtime(WorkerRuntime.PROCESS).threads(1), "BufferReference",
                Carrier.REFERENCE, "moving", RoundSpec.timed(1000));
    }

    /** Where sharing a buffer with a thread worker beats copying a byte[]. */
    private static Scenario sweep(int size, boolean quick) {
        return sweep(size, quick, "threads(1)", b -> b.threads(1), "ProcessSharedBuffer", Carrier.SHARED_BUFFER,
                "zero-copy", RoundSpec.timed(quick ? 200 : 500));
    }

    /**
     * One size of a sweep: {@code carrier} against a {@code byte[]} echo of the same size through
     * one pool, an informational line ("ratio > 1 where {@code how} overtakes copying").
     *
     * @param kind the pool's name in the contenders; "threads(1)" lines say "thread"
     * @param warmUp a process worker's JIT needs the longer warm-up (see {@link #g8})
     */
    private static Scenario sweep(int size, boolean quick, String kind, UnaryOperator<PoolBuilder> workers,
            String what, Carrier carrier, String how, RoundSpec warmUp) {
        String label = size >= MIB ? (size / MIB) + " MiB" : (size / KIB) + " KiB";
        UnaryOperator<PoolBuilder> pool = b -> workers.apply(b).maxPayloadBytes(Math.max(8L << 20, 2L * size));
        Supplier<List<Contender>> contenders = () -> {
            SharedPool shared = new SharedPool(pool);
            return List.of(ZeroCopySide.contender("knitting " + kind + " " + what + " " + label, shared, carrier, size),
                    ZeroCopySide.contender("knitting " + kind + " byte[] " + label + " (same pool)", shared, Carrier.BYTES,
                            size));
        };
        String lineKind = kind.startsWith("threads") ? "thread" : kind;
        List<Scenario.Line> lines = List.of(new Scenario.Line("sweep " + label + " " + what + " vs byte[] echo "
                + lineKind + " p50", Metric.percentile(50), new Scenario.Goal("informational: ratio > 1 where " + how
                + " overtakes copying", (k, r) -> true)));
        return quick
                ? new Scenario("G8", contenders, lines, 1, 3, warmUp, RoundSpec.timed(100), 60_000, 0)
                : new Scenario("G8", contenders, lines, 2, 7, warmUp, RoundSpec.timed(300), 120_000, 0);
    }
}
