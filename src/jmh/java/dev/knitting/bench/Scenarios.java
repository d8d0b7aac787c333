package dev.knitting.bench;

import dev.knitting.IdlePolicy;
import dev.knitting.PoolBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The scenarios of this milestone (thread workers): G1, G2, G5, G6, G7 of BENCHMARKS.md, each with
 * its knitting side, its baseline and the goal it is checked against. Sizes differ between the
 * quick mode (under two minutes with the build) and the full mode (a few minutes).
 */
public final class Scenarios {
    private static final int MIB = 1 << 20;

    private Scenarios() {
    }

    /** @return every scenario, in G order */
    public static List<Scenario> all(boolean quick) {
        List<Scenario> s = new ArrayList<>();
        s.add(g1(quick));
        s.add(FreshHotSide.g1u(quick, "THREAD"));
        s.add(FreshHotSide.g1u(quick, "PROCESS"));
        s.add(g2(quick));
        s.add(g5(quick));
        s.add(g5b(quick));
        s.add(VirtualCallersSide.g5v(quick));
        s.add(VirtualCallersSide.g5vPerRequest(quick));
        s.add(g6(quick));
        s.add(g6FloorLine(quick));
        s.add(g6InFlight(quick));
        s.add(g7(quick));
        s.add(g7FloorLine(quick));
        s.addAll(ZeroCopyScenarios.all(quick)); // G8 and the size sweep
        for (CodecSide.Payload payload : CodecSide.Payload.values()) {
            s.add(g11(quick, payload));
        }
        ProcessScenarios.addTo(s, quick); // process workers: G3, G4, G5/G6/G7 process lines, G9, G10
        long quiet = quick ? 100 : 1_000;
        return s.stream().map(x -> x.quietWait(quiet)).toList();
    }

    static Scenario g1(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                knitting("knitting threads(1)", b -> b.threads(1), KnittingSide::hot),
                executor("TPE(1) submit+get", Scenarios::tpe1, ExecutorSide::hot),
                executor("ForkJoinPool(1) submit+get", () -> new ForkJoinPool(1), ExecutorSide::hot),
                supplyAsync("CompletableFuture.supplyAsync+join"),
                spinFloor("spin ping-pong floor (2 threads)"),
                knitting("knitting threads(1) idle=LOW_CPU", b -> b.threads(1).idle(IdlePolicy.LOW_CPU),
                        KnittingSide::hot));
        List<Scenario.Line> lines = List.of(new Scenario.Line("tiny call int->int thread hot p50 vs TPE(1)",
                Metric.percentile(50), new Scenario.Goal("p50 <= 300 ns; >= 10x faster than TPE(1)",
                        (k, r) -> k <= 300 && r >= 10)));
        return quick
                ? new Scenario("G1", contenders, lines, 1, 7, RoundSpec.timed(500), RoundSpec.timed(200), 30_000, 0)
                : new Scenario("G1", contenders, lines, 2, 15, RoundSpec.timed(1000), RoundSpec.timed(1000), 60_000, 0);
    }

    static Scenario g2(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                knitting("knitting threads(1)", b -> b.threads(1), KnittingSide::paced),
                executor("TPE(1) submit+get", Scenarios::tpe1, ExecutorSide::paced),
                knitting("knitting threads(1) idle=LOW_CPU", b -> b.threads(1).idle(IdlePolicy.LOW_CPU),
                        KnittingSide::paced));
        List<Scenario.Line> lines = List.of(
                new Scenario.Line("tiny call int->int thread parked (1 ms apart) p50 vs TPE(1)", Metric.percentile(50),
                        new Scenario.Goal("p50 <= 0.75x TPE(1)", (k, r) -> r >= 1 / 0.75)),
                new Scenario.Line("tiny call int->int thread parked (1 ms apart) p99 vs TPE(1)", Metric.percentile(99),
                        new Scenario.Goal("never worse than TPE(1) at p99", (k, r) -> r >= 1)));
        long ms = 1_000_000L;
        return quick
                ? new Scenario("G2", contenders, lines, 1, 7, RoundSpec.paced(200, ms).primedForParked(), RoundSpec.paced(300, ms), 30_000, 0)
                : new Scenario("G2", contenders, lines, 1, 15, RoundSpec.paced(500, ms).primedForParked(), RoundSpec.paced(2000, ms),
                        60_000, 0);
    }

    /**
     * Calls every warm-up round of G5a/G5b makes at least, on every side: the submit path runs ~30 us
     * a call interpreted and ~0.1 us once compiled, and a 500 ms warm-up on a loaded machine ended
     * with knitting still climbing through the measured rounds while the baseline was compiled.
     */
    static final int G5_WARMUP_CALLS = 300_000;

    static Scenario g5(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                knitting("knitting threads(1)", b -> b.threads(1), KnittingSide::batched),
                executor("TPE(1) submit+get", Scenarios::tpe1, ExecutorSide::batched));
        List<Scenario.Line> lines = List.of(new Scenario.Line("batched 1 worker 1000 calls in flight vs TPE(1)",
                Metric.callsPerSecond(), new Scenario.Goal("threads >= 1.5x TPE(1)", (k, r) -> r >= 1.5)));
        return g5Rounds("G5a", quick, contenders, lines);
    }

    static Scenario g5b(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                knitting("knitting threads(1) callAll", b -> b.threads(1), KnittingSide::batchedCallAll),
                executor("TPE(1) submit+get", Scenarios::tpe1, ExecutorSide::batched));
        List<Scenario.Line> lines = List.of(new Scenario.Line("callAll of 1000 1 worker vs TPE(1) 1000 in flight",
                Metric.callsPerSecond(), new Scenario.Goal("threads >= 20 M calls/s (>= 5x TPE(1))",
                        (k, r) -> k >= 20e6 && r >= 5)));
        return g5Rounds("G5b", quick, contenders, lines);
    }

    private static Scenario g5Rounds(String id, boolean quick, Supplier<List<Contender>> contenders,
                                     List<Scenario.Line> lines) {
        return quick
                ? new Scenario(id, contenders, lines, 1, 7,
                        RoundSpec.timed(500).withWindow(1000).atLeast(G5_WARMUP_CALLS),
                        RoundSpec.timed(200).withWindow(1000), 30_000, 0)
                : new Scenario(id, contenders, lines, 2, 15,
                        RoundSpec.timed(1000).withWindow(1000).atLeast(G5_WARMUP_CALLS),
                        RoundSpec.timed(1000).withWindow(1000), 60_000, 0);
    }

    static Scenario g6(boolean quick) {
        int size = MIB;
        Supplier<List<Contender>> contenders = () -> List.of(
                G6_FLOOR.knitting(echo("knitting threads(1) echo", b -> b.threads(1), size)),
                copyFloor("MemorySegment.copy there+back", size),
                echo("knitting threads(1) idle=LOW_CPU echo", b -> b.threads(1).idle(IdlePolicy.LOW_CPU), size),
                G6_FLOOR.floor(size));
        List<Scenario.Line> lines = List.of(new Scenario.Line("1 MiB byte[] echo thread vs memcpy there+back",
                Metric.bytesPerSecond(), new Scenario.Goal(
                        "threads >= 15 GB/s (>= 25% of memcpy, i.e. ratio >= 0.5 to there+back)",
                        (k, r) -> k >= 15e9 && r >= 0.5)));
        return quick
                ? new Scenario("G6", contenders, lines, 1, 7, RoundSpec.timed(500).withPayload(size),
                        RoundSpec.timed(200).withPayload(size), 30_000, 0)
                : new Scenario("G6", contenders, lines, 2, 15, RoundSpec.timed(1000).withPayload(size),
                        RoundSpec.timed(1000).withPayload(size), 60_000, 0);
    }

    /** G6 with 64 echoes in flight on one thread worker. */
    static Scenario g6InFlight(boolean quick) {
        int size = MIB;
        Supplier<List<Contender>> contenders = () -> List.of(
                echoInFlight("knitting threads(1) echo, 64 in flight", b -> b.threads(1), size),
                copyFloor("MemorySegment.copy there+back", size));
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "1 MiB byte[] echo thread 64 in flight vs memcpy there+back", Metric.bytesPerSecond(),
                new Scenario.Goal("threads >= 15 GB/s (ratio >= 0.5 to there+back)",
                        (k, r) -> k >= 15e9 && r >= 0.5)));
        return quick
                ? new Scenario("G6", contenders, lines, 1, 5, RoundSpec.timed(500).withPayload(size).withWindow(64),
                        RoundSpec.timed(200).withPayload(size).withWindow(64), 30_000, 0)
                : new Scenario("G6", contenders, lines, 2, 15, RoundSpec.timed(1000).withPayload(size).withWindow(64),
                        RoundSpec.timed(1000).withPayload(size).withWindow(64), 60_000, 0);
    }

    // The floor lines of G6 and G7 replay their rounds (see EchoFloorLine).
    private static final EchoFloorLine G6_FLOOR = new EchoFloorLine(EchoFloorSide.Boundary.THREAD);
    private static final EchoFloorLine G7_FLOOR = new EchoFloorLine(EchoFloorSide.Boundary.THREAD);

    static Scenario g7(boolean quick) {
        int size = 64 * MIB;
        Supplier<List<Contender>> contenders = () -> List.of(
                G7_FLOOR.knitting(echo("knitting threads(1) maxPayloadBytes=128MiB echo",
                        b -> b.threads(1).maxPayloadBytes(128L << 20), size)),
                copyFloor("MemorySegment.copy there+back", size),
                G7_FLOOR.floor(size));
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "64 MiB byte[] echo thread maxPayloadBytes=128MiB vs memcpy there+back", Metric.bytesPerSecond(),
                new Scenario.Goal(">= 8 GB/s, default settings, lane memory bounded", (k, r) -> k >= 8e9)));
        return quick
                ? new Scenario("G7", contenders, lines, 1, 5, RoundSpec.timed(500).withPayload(size),
                        RoundSpec.timed(300).withPayload(size), 60_000, 0)
                : new Scenario("G7", contenders, lines, 2, 11, RoundSpec.timed(1000).withPayload(size),
                        RoundSpec.timed(2000).withPayload(size), 120_000, 0);
    }

    static Scenario g6FloorLine(boolean quick) {
        return G6_FLOOR.line(g6(quick), "1 MiB byte[] echo thread");
    }

    static Scenario g7FloorLine(boolean quick) {
        return G7_FLOOR.line(g7(quick), "64 MiB byte[] echo thread");
    }

    static Scenario g11(boolean quick, CodecSide.Payload payload) {
        Supplier<List<Contender>> contenders = () -> List.of(CodecSide.knitting(payload),
                CodecSide.javaSerialization(payload));
        long goal = switch (payload) {
            case INT -> 20;
            case RECORD -> 150;
            case STRING_1K -> 300;
        };
        String what = switch (payload) {
            case INT -> "int";
            case RECORD -> "5-field record";
            case STRING_1K -> "1 KiB string";
        };
        List<Scenario.Line> lines = List.of(new Scenario.Line("codec encode+decode " + what
                + " p50 vs java.io serialization", Metric.percentile(50),
                new Scenario.Goal("<= " + goal + " ns", (k, r) -> k <= goal)));
        return quick
                ? new Scenario("G11", contenders, lines, 1, 5, RoundSpec.timed(300), RoundSpec.timed(150), 30_000, 0)
                : new Scenario("G11", contenders, lines, 2, 11, RoundSpec.timed(1000), RoundSpec.timed(500), 60_000, 0);
    }

    /** {@code ThreadPoolExecutor(1)}: one thread, unbounded queue. */
    static ExecutorService tpe1() {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
    }

    static Contender knitting(String name, UnaryOperator<PoolBuilder> configure, Side.Round<KnittingSide> round) {
        return Side.contender(name, new KnittingSide(configure), round);
    }

    static Contender echo(String name, UnaryOperator<PoolBuilder> configure, int size) {
        return echoing(name, configure, size, KnittingSide::echo);
    }

    static Contender executor(String name, Supplier<ExecutorService> factory, Side.Round<ExecutorSide> round) {
        return Side.contender(name, new ExecutorSide(factory), round);
    }

    static Contender supplyAsync(String name) {
        SupplyAsyncSide side = new SupplyAsyncSide();
        return new Contender(name) {
            @Override
            public void open() {
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                return side.hot(spec);
            }

            @Override
            public void close() {
            }
        };
    }

    static Contender spinFloor(String name) {
        return Side.contender(name, new SpinFloorSide(), SpinFloorSide::hot);
    }

    /** Echoes of {@code size} bytes, {@code spec.window()} in flight ({@link KnittingSide#echoInFlight}). */
    static Contender echoInFlight(String name, UnaryOperator<PoolBuilder> configure, int size) {
        return echoing(name, configure, size, KnittingSide::echoInFlight);
    }

    /** How an echo contender's round runs: back to back, or with calls in flight. */
    private interface EchoRound {
        Measurement run(KnittingSide side, RoundSpec spec, byte[] payload);
    }

    /** A knitting side echoing one {@code size}-byte payload, checked once at open. */
    private static Contender echoing(String name, UnaryOperator<PoolBuilder> configure, int size, EchoRound round) {
        KnittingSide side = new KnittingSide(configure);
        byte[] payload = payload(size);
        return new Contender(name) {
            @Override
            public void open() {
                side.open();
                side.verifyEcho(payload);
            }

            @Override
            public Measurement round(RoundSpec spec) {
                return round.run(side, spec, payload);
            }

            @Override
            public void close() {
                side.close();
            }

            @Override
            public void abandon() {
                side.abandon();
            }
        };
    }

    static Contender copyFloor(String name, int size) {
        CopyFloorSide side = new CopyFloorSide();
        byte[] payload = payload(size);
        return new Contender(name) {
            @Override
            public void open() {
                side.open(size);
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                return side.copy(spec, payload);
            }

            @Override
            public void close() {
                side.close();
            }
        };
    }

    /** A payload with a pattern of period 256, so lost, zeroed or shifted bytes show. */
    static byte[] payload(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /**
     * @return the scenarios whose id is listed (comma-separated, e.g. "G1,G5"; "G5" also selects
     *     its lettered lines G5a and G5b), or all for null
     */
    static List<Scenario> only(List<Scenario> all, String ids) {
        if (ids == null || ids.isBlank()) {
            return all;
        }
        List<String> wanted = List.of(ids.toUpperCase(java.util.Locale.ROOT).split(","));
        return all.stream().filter(s -> {
            String id = s.id().toUpperCase(java.util.Locale.ROOT);
            return wanted.contains(id) || wanted.contains(id.replaceAll("[AB]$", "")); // G5 is G5a and G5b
        }).toList();
    }
}
