package dev.knitting.bench;

import java.util.List;
import java.util.function.Supplier;

/**
 * G1u: hot calls as a user's program first sees them. Each round starts {@code N} fresh JVMs one
 * after another (3 with {@code --quick}, 10 in full mode); each starts a pool of one worker of the
 * kind, makes {@value FreshJvmFigures#WARMUP_CALLS} untimed calls, then times
 * {@value FreshJvmFigures#TIMED_CALLS} {@code call(...).join()} back to back and reports their p50
 * ({@link FreshJvmFigures}). The round's histogram holds those {@code N} p50s: its p100 is the
 * worst JVM, its p50 the median one. The baseline does the same with a {@code ThreadPoolExecutor(1)}
 * submit+get in fresh JVMs. A slow mode (caller and worker packed on one vCPU) shows in the worst
 * figure instead of vanishing into a median over rounds of one long-lived JVM.
 */
final class FreshHotSide {
    private FreshHotSide() {
    }

    /** @return the G1u scenario of one worker kind, THREAD or PROCESS */
    static Scenario g1u(boolean quick, String kind) {
        int jvms = quick ? 3 : 10;
        String lower = kind.toLowerCase(java.util.Locale.ROOT);
        Supplier<List<Contender>> contenders = () -> List.of(
                freshJvms("knitting " + lower + "s(1), " + jvms + " fresh JVMs", kind, jvms),
                freshJvms("TPE(1) submit+get, " + jvms + " fresh JVMs", "TPE", jvms));
        List<Scenario.Line> lines = List.of(
                new Scenario.Line("first-day hot call " + lower + " p50, worst of " + jvms
                        + " fresh JVMs vs TPE(1)", new Metric("worst p50", m -> m.histogram().percentile(100), true,
                        Units::nanos), new Scenario.Goal("the worst of the fresh JVMs' p50s <= 1 us",
                        (k, r) -> k <= 1_000)),
                new Scenario.Line("first-day hot call " + lower + " p50, median of " + jvms
                        + " fresh JVMs vs TPE(1)", new Metric("median p50", m -> m.histogram().percentile(50), true,
                        Units::nanos), new Scenario.Goal("(informational) median of the fresh JVMs' p50s",
                        (k, r) -> k <= 1_000)));
        RoundSpec spec = RoundSpec.paced(jvms, 0);
        return new Scenario("G1u", contenders, lines, 0, 1, spec, spec, 60_000L * jvms, 0);
    }

    private static Contender freshJvms(String name, String kind, int jvms) {
        return new Contender(name) {
            @Override
            public void open() {
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                LatencyHistogram p50s = new LatencyHistogram();
                StringBuilder each = new StringBuilder("p50 per JVM:");
                Measurement.Stopwatch watch = Measurement.start();
                for (int i = 0; i < jvms; i++) {
                    long p50 = FreshJvmFigures.firstDayHotP50(kind);
                    p50s.record(p50);
                    each.append(' ').append(Units.nanos(p50));
                }
                return watch.stop(jvms, 0, p50s, each.toString());
            }

            @Override
            public void close() {
            }
        };
    }
}
