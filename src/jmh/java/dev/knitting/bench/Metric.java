package dev.knitting.bench;

import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * A figure taken from each round's measurement.
 *
 * @param label appended to the scenario's description, e.g. "p50"
 * @param value extracts the figure from a round
 * @param lowerIsBetter true for latencies (ratio = baseline / knitting), false for throughputs
 *        (ratio = knitting / baseline)
 * @param format renders a figure with its unit
 */
public record Metric(String label, ToDoubleFunction<Measurement> value, boolean lowerIsBetter,
                     DoubleFunction<String> format) {

    /** Latency percentile of the round's histogram. */
    public static Metric percentile(double p) {
        String label = p == 50 ? "p50" : "p" + (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p));
        return new Metric(label, m -> m.histogram().percentile(p), true, Units::nanos);
    }

    /** Calls per second. */
    public static Metric callsPerSecond() {
        return new Metric("throughput", Measurement::opsPerSecond, false, Units::callsPerSecond);
    }

    /** Payload bytes per second. */
    public static Metric bytesPerSecond() {
        return new Metric("throughput", Measurement::bytesPerSecond, false, Units::bytesPerSecond);
    }

    /** @return the better-is-bigger ratio of knitting against a baseline figure */
    public double ratio(double knitting, double baseline) {
        return lowerIsBetter ? baseline / knitting : knitting / baseline;
    }
}
