package dev.knitting.bench.chaos;

import dev.knitting.bench.Units;
import java.util.Arrays;
import java.util.List;

/**
 * One line of {@code scripts/chaos}, in the bench's shape
 * {@code G<n> <what> knitting=<figure> baseline=<figure> ratio=<R>}, where the "baseline" is the
 * goal of BENCHMARKS.md:
 * <ul>
 * <li>a time bound: {@code knitting=38.2ms baseline=100ms ratio=2.62x}, ratio = goal / figure, so
 *     {@code > 1} means the goal is met (a figure under 0.1 ms counts as 0.1 ms);
 * <li>a count whose goal is a number: {@code knitting=0 baseline=0 ratio=met} (or {@code missed});
 * <li>a side that could not be measured: {@code knitting=error(<reason>)} and {@code ratio=n/a}.
 * </ul>
 * Figures never contain spaces, so {@code ^(G[0-9]+) (.*) knitting=(\S+) baseline=(\S+) ratio=(\S+)$}
 * parses every line.
 *
 * @param id "G12"
 * @param what the description, which names the statistic (max, p99)
 * @param knitting the figure
 * @param baseline the goal
 * @param ratio "2.62x", "met", "missed" or "n/a"
 */
record ChaosLine(String id, String what, String knitting, String baseline, String ratio) {
    private static final double FLOOR_NANOS = 100_000;

    /** A duration against an upper bound. */
    static ChaosLine within(String id, String what, double nanos, double boundNanos) {
        double ratio = boundNanos / Math.max(nanos, FLOOR_NANOS);
        return new ChaosLine(id, what, Units.nanos(nanos), Units.nanos(boundNanos), Units.ratio(ratio));
    }

    /** A count against the largest count allowed. */
    static ChaosLine atMost(String id, String what, long count, long allowed) {
        return new ChaosLine(id, what, Long.toString(count), Long.toString(allowed),
                count <= allowed ? "met" : "missed");
    }

    /** A figure with its own text, met or not. */
    static ChaosLine checked(String id, String what, String figure, String goal, boolean met) {
        return new ChaosLine(id, what, figure, goal, met ? "met" : "missed");
    }

    /** A line that could not be measured. */
    static ChaosLine error(String id, String what, String goal, String reason) {
        String e = reason.replaceAll("\\s+", "_");
        return new ChaosLine(id, what, "error(" + (e.length() > 80 ? e.substring(0, 80) + "..." : e) + ")", goal,
                "n/a");
    }

    @Override
    public String toString() {
        return id + " " + what + " knitting=" + knitting + " baseline=" + baseline + " ratio=" + ratio;
    }

    /** @return the {@code p}-th percentile (nearest rank) of {@code values}, NaN when empty */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    /** @return the largest value, NaN when empty */
    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** @return "1.2ms 3.4ms ..." for raw output */
    static String all(List<Double> nanos) {
        return String.join(" ", Arrays.stream(nanos.stream().mapToDouble(Double::doubleValue).toArray())
                .mapToObj(Units::nanos).toList());
    }
}
