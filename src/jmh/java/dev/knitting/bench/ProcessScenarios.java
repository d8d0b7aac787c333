package dev.knitting.bench;

import dev.knitting.IdlePolicy;
import dev.knitting.Permission;
import dev.knitting.PoolBuilder;
import dev.knitting.WorkerRuntime;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The process-worker scenarios of BENCHMARKS.md: G3, G4, and the process lines of G5, G6, G7 (the
 * knitting side is {@code runtime(PROCESS).threads(1)}, one worker JVM), G9 (idle CPU) and G10
 * (start to first answer). Baselines are child JVMs started with this JVM's class path
 * ({@link EchoChildMain}) over a UNIX-domain socket or a pipe, the copy floor, an idle
 * {@code ThreadPoolExecutor}, and a bare {@code java -version}. Quick sizes are small so that
 * {@code scripts/bench --quick} stays near two minutes on a 2-vCPU VM, thread scenarios included.
 */
public final class ProcessScenarios {
    private static final int MIB = 1 << 20;
    private static final long MS = 1_000_000L;

    private ProcessScenarios() {
    }

    /**
     * Inserts the process scenarios into the thread scenarios' list, in G order: G3 and G4 after G2,
     * each process G5/G6/G7 after the thread one of the same id, G9 and G10 after those (before
     * any higher id, such as G11).
     */
    public static void addTo(List<Scenario> s, boolean quick) {
        ChildJvms.ensureHook();
        insertAfter(s, "G2", g3(quick), g4(quick), g4PipeLine(quick), g4FutexLine(quick));
        insertAfter(s, "G5a", g5(quick));
        insertAfter(s, "G5b", g5b(quick));
        insertAfter(s, "G6", g6(quick), g6FloorLine(quick), g6InFlight(quick));
        insertAfter(s, "G7", g7(quick), g7FloorLine(quick));
        insertAfter(s, "G9", IdleCpuSide.g9(quick));
        insertAfter(s, "G10", StartupSide.g10(quick), ColdStartSide.coldThread(quick), ColdStartSide.coldProcess(quick),
                ColdStartSide.eightWorkers(quick));
    }

    private static void insertAfter(List<Scenario> s, String id, Scenario... added) {
        int at = 0;
        for (int i = 0; i < s.size(); i++) {
            if (number(s.get(i).id()) <= number(id)) {
                at = i + 1;
            }
        }
        s.addAll(at, List.of(added));
    }

    /** @return the order of an id: G5 and its lettered lines G5a, G5b come in that order, before G6 */
    private static int number(String id) {
        try {
            String digits = id.substring(1).replaceAll("[A-Za-z]+$", "");
            int letter = digits.length() + 1 < id.length() ? Character.toLowerCase(id.charAt(id.length() - 1)) - 'a' + 1 : 0;
            return Integer.parseInt(digits) * 32 + letter;
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * @return process workers, confined by the default {@code Permission.strict()}, or unconfined with
     *     {@code -Dknitting.bench.permission=unsafe} (to compare the two side by side)
     */
    static UnaryOperator<PoolBuilder> process(int workers) {
        boolean unsafe = "unsafe".equals(System.getProperty("knitting.bench.permission"));
        return b -> {
            PoolBuilder builder = b.runtime(WorkerRuntime.PROCESS).threads(workers);
            return unsafe ? builder.permission(Permission.unsafe()) : builder;
        };
    }

    static Scenario g3(boolean quick) {
        Supplier<List<Contender>> contenders = () -> {
            List<Contender> c = new java.util.ArrayList<>(List.of(
                    Scenarios.knitting("knitting process(1)", process(1), KnittingSide::hot),
                    child("UNIX socket child JVM", new SocketEchoSide(), ChildEchoSide::hot),
                    child("pipe child JVM (stdin/stdout)", new PipeEchoSide(), ChildEchoSide::hot)));
            if (!quick) {
                c.add(Scenarios.knitting("knitting process(1) idle=LOW_LATENCY",
                        b -> process(1).apply(b).idle(IdlePolicy.LOW_LATENCY), KnittingSide::hot));
            }
            return c;
        };
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "tiny call int->int process hot p50 vs UNIX socket child", Metric.percentile(50),
                new Scenario.Goal("p50 <= 500 ns; >= 10x faster than UNIX socket", (k, r) -> k <= 500 && r >= 10)));
        return quick
                // The warm-up also warms the worker JVM's JIT: a fresh JVM needs ~1 s before its
                // lane loop is compiled, and shorter warm-ups measure the interpreter instead.
                ? new Scenario("G3", contenders, lines, 1, 3, RoundSpec.timed(1000), RoundSpec.timed(150), 30_000, 0)
                : new Scenario("G3", contenders, lines, 2, 11, RoundSpec.timed(1000), RoundSpec.timed(1000), 60_000, 0);
    }

    // The floor lines of G6 and G7 replay their rounds (see EchoFloorLine).
    private static final EchoFloorLine G6_FLOOR = new EchoFloorLine(EchoFloorSide.Boundary.PROCESS);
    private static final EchoFloorLine G7_FLOOR = new EchoFloorLine(EchoFloorSide.Boundary.PROCESS);

    // G4 measures once with both baselines; its pipe line replays the same rounds (see Replay).
    private static final Replay G4_KNITTING = new Replay();
    private static final Replay G4_PIPE = new Replay();
    private static final Replay G4_FUTEX = new Replay();
    private static final String G4_WHAT = "tiny call int->int process parked (1 ms apart) p50 vs ";

    static Scenario g4(boolean quick) {
        Supplier<List<Contender>> contenders = () -> {
            List<Contender> c = new java.util.ArrayList<>(List.of(
                    G4_KNITTING.recording(Scenarios.knitting("knitting process(1)", process(1), KnittingSide::paced)),
                    child("UNIX socket child JVM", new SocketEchoSide(), ChildEchoSide::paced),
                    G4_PIPE.recording(child("pipe child JVM (stdin/stdout)", new PipeEchoSide(),
                            ChildEchoSide::paced)),
                    G4_FUTEX.recording(child("bare futex ping-pong child JVM", new FutexEchoSide(),
                            ChildEchoSide::paced))));
            if (!quick) {
                c.add(Scenarios.knitting("knitting process(1) idle=LOW_CPU",
                        b -> process(1).apply(b).idle(IdlePolicy.LOW_CPU), KnittingSide::paced));
            }
            return c;
        };
        List<Scenario.Line> lines = List.of(
                new Scenario.Line(G4_WHAT + "UNIX socket child", Metric.percentile(50),
                        new Scenario.Goal(">= 2x faster than UNIX socket", (k, r) -> r >= 2)));
        return g4Sizes(quick, contenders, lines);
    }

    static Scenario g4PipeLine(boolean quick) {
        return g4Replayed(quick, G4_PIPE, "pipe child JVM", "pipe child",
                new Scenario.Goal(">= 1.25x faster than pipe", (k, r) -> r >= 1.25));
    }

    /**
     * The wake-up floor: the same G4 rounds against a child that only bounces a futex word. A
     * parked knitting call pays the same two wake-ups plus its own work, so beyond noise it cannot
     * beat this line; the ratio shows knitting's own cost on top of the wake-ups, and the socket
     * line's baseline divided by this one bounds what any futex-based lane can reach against it.
     */
    static Scenario g4FutexLine(boolean quick) {
        return g4Replayed(quick, G4_FUTEX, "bare futex ping-pong child JVM", "bare futex floor",
                new Scenario.Goal("informational: within 1.5x of the bare futex round trip (ratio >= 0.67)",
                        (k, r) -> r >= 1 / 1.5));
    }

    /** A further G4 line: the knitting rounds of G4 against another of its recorded baselines. */
    private static Scenario g4Replayed(boolean quick, Replay baseline, String baselineName, String against,
            Scenario.Goal goal) {
        Supplier<List<Contender>> contenders = () -> List.of(
                G4_KNITTING.replaying("knitting process(1) (G4 rounds above, replayed)"),
                baseline.replaying(baselineName + " (G4 rounds above, replayed)"));
        List<Scenario.Line> lines = List.of(new Scenario.Line(G4_WHAT + against, Metric.percentile(50), goal));
        return g4Sizes(quick, contenders, lines);
    }

    private static Scenario g4Sizes(boolean quick, Supplier<List<Contender>> contenders, List<Scenario.Line> lines) {
        return quick
                ? new Scenario("G4", contenders, lines, 1, 3, RoundSpec.paced(200, MS).primedForParked(),
                        RoundSpec.paced(200, MS),
                        30_000, 0)
                : new Scenario("G4", contenders, lines, 1, 11, RoundSpec.paced(300, MS).primedForParked(),
                        RoundSpec.paced(2000, MS),
                        60_000, 0);
    }

    static Scenario g5(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                Scenarios.knitting("knitting process(1)", process(1), KnittingSide::batched),
                child("UNIX socket child JVM", new SocketEchoSide(), ChildEchoSide::batched));
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "batched 1 process worker 1000 calls in flight vs UNIX socket child (1000 pipelined)",
                Metric.callsPerSecond(), new Scenario.Goal("process >= 5 M calls/s", (k, r) -> k >= 5e6)));
        return g5Rounds("G5a", quick, contenders, lines);
    }

    static Scenario g5b(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                Scenarios.knitting("knitting process(1) callAll", process(1), KnittingSide::batchedCallAll),
                child("UNIX socket child JVM", new SocketEchoSide(), ChildEchoSide::batched));
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "callAll of 1000 1 process worker vs UNIX socket child (1000 pipelined)",
                Metric.callsPerSecond(), new Scenario.Goal("process >= 10 M calls/s (>= 0.5x UNIX socket, pipelined)",
                        (k, r) -> k >= 10e6 && r >= 0.5)));
        return g5Rounds("G5b", quick, contenders, lines);
    }

    private static Scenario g5Rounds(String id, boolean quick, Supplier<List<Contender>> contenders,
                                     List<Scenario.Line> lines) {
        return quick
                ? new Scenario(id, contenders, lines, 1, 3,
                        RoundSpec.timed(200).withWindow(1000).atLeast(Scenarios.G5_WARMUP_CALLS),
                        RoundSpec.timed(150).withWindow(1000), 30_000, 0)
                : new Scenario(id, contenders, lines, 2, 11,
                        RoundSpec.timed(1000).withWindow(1000).atLeast(Scenarios.G5_WARMUP_CALLS),
                        RoundSpec.timed(1000).withWindow(1000), 60_000, 0);
    }

    static Scenario g6(boolean quick) {
        int size = MIB;
        Supplier<List<Contender>> contenders = () -> List.of(
                G6_FLOOR.knitting(Scenarios.echo("knitting process(1) echo", process(1), size)),
                Scenarios.copyFloor("MemorySegment.copy there+back", size),
                G6_FLOOR.floor(size));
        List<Scenario.Line> lines = List.of(new Scenario.Line("1 MiB byte[] echo process vs memcpy there+back",
                Metric.bytesPerSecond(), new Scenario.Goal(
                        "process >= 12 GB/s (>= 25% of memcpy, i.e. ratio >= 0.5 to there+back)",
                        (k, r) -> k >= 12e9 && r >= 0.5)));
        return quick
                ? new Scenario("G6", contenders, lines, 1, 3, RoundSpec.timed(200).withPayload(size),
                        RoundSpec.timed(150).withPayload(size), 30_000, 0)
                : new Scenario("G6", contenders, lines, 2, 11, RoundSpec.timed(1000).withPayload(size),
                        RoundSpec.timed(1000).withPayload(size), 60_000, 0);
    }

    /** G6 with 64 echoes in flight on one process worker. */
    static Scenario g6InFlight(boolean quick) {
        int size = MIB;
        Supplier<List<Contender>> contenders = () -> List.of(
                Scenarios.echoInFlight("knitting process(1) echo, 64 in flight", process(1), size),
                Scenarios.copyFloor("MemorySegment.copy there+back", size));
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "1 MiB byte[] echo process 64 in flight vs memcpy there+back", Metric.bytesPerSecond(),
                new Scenario.Goal("process >= 12 GB/s (ratio >= 0.5 to there+back)",
                        (k, r) -> k >= 12e9 && r >= 0.5)));
        return quick
                ? new Scenario("G6", contenders, lines, 1, 3, RoundSpec.timed(200).withPayload(size).withWindow(64),
                        RoundSpec.timed(150).withPayload(size).withWindow(64), 30_000, 0)
                : new Scenario("G6", contenders, lines, 2, 11, RoundSpec.timed(1000).withPayload(size).withWindow(64),
                        RoundSpec.timed(1000).withPayload(size).withWindow(64), 60_000, 0);
    }

    static Scenario g7(boolean quick) {
        int size = 64 * MIB;
        Supplier<List<Contender>> contenders = () -> List.of(
                G7_FLOOR.knitting(Scenarios.echo("knitting process(1) maxPayloadBytes=128MiB echo",
                        b -> process(1).apply(b).maxPayloadBytes(128L << 20), size)),
                Scenarios.copyFloor("MemorySegment.copy there+back", size),
                G7_FLOOR.floor(size));
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "64 MiB byte[] echo process maxPayloadBytes=128MiB vs memcpy there+back", Metric.bytesPerSecond(),
                new Scenario.Goal(">= 8 GB/s, default settings, lane memory bounded", (k, r) -> k >= 8e9)));
        return quick
                ? new Scenario("G7", contenders, lines, 1, 3, RoundSpec.timed(100).withPayload(size),
                        RoundSpec.timed(200).withPayload(size), 60_000, 0)
                : new Scenario("G7", contenders, lines, 2, 11, RoundSpec.timed(1000).withPayload(size),
                        RoundSpec.timed(2000).withPayload(size), 120_000, 0);
    }


    static Scenario g6FloorLine(boolean quick) {
        return G6_FLOOR.line(g6(quick), "1 MiB byte[] echo process");
    }

    static Scenario g7FloorLine(boolean quick) {
        return G7_FLOOR.line(g7(quick), "64 MiB byte[] echo process");
    }

    static Contender child(String name, ChildEchoSide side, Side.Round<ChildEchoSide> round) {
        return Side.contender(name, side, round);
    }
}
