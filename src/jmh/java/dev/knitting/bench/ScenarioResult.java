package dev.knitting.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rounds each contender completed in one scenario, or why it stopped, and the figures derived:
 * medians over rounds, and the ratio as the median of per-round paired ratios (knitting round i
 * against baseline round i, measured side by side), which cancels slow drift of the machine; and
 * likewise the median of per-round differences, for goals on what knitting adds
 * ({@link Scenario.Goal.AtMostAbove}).
 */
public final class ScenarioResult {
    /** What happened to one contender. */
    public static final class Side {
        final String name;
        final List<Measurement> rounds = new ArrayList<>();
        String error;

        Side(String name) {
            this.name = name;
        }

        /** @return the contender's name */
        public String name() {
            return name;
        }

        /** @return measured rounds (warm-up excluded) */
        public List<Measurement> rounds() {
            return rounds;
        }

        /** @return the failure, or {@code null} */
        public String error() {
            return error;
        }

        /** @return the median of the metric over the measured rounds, NaN if none */
        public double median(Metric metric) {
            if (error != null || rounds.isEmpty()) {
                return Double.NaN;
            }
            return ScenarioResult.median(rounds.stream().mapToDouble(metric.value()).toArray());
        }

        /** @return every round's histogram merged, or {@code null} */
        public LatencyHistogram mergedHistogram() {
            LatencyHistogram all = null;
            for (Measurement m : rounds) {
                if (m.histogram() != null) {
                    if (all == null) {
                        all = new LatencyHistogram();
                    }
                    all.add(m.histogram());
                }
            }
            return all;
        }

        /** @return median CPU used by other processes over rounds, in cores */
        public double medianForeignCores() {
            return rounds.isEmpty() ? Double.NaN
                    : ScenarioResult.median(rounds.stream().mapToDouble(Measurement::foreignCores).toArray());
        }

        /** @return median cores (CPU time / wall) over rounds */
        public double medianCores() {
            return rounds.isEmpty() ? Double.NaN
                    : ScenarioResult.median(rounds.stream().mapToDouble(Measurement::cores).toArray());
        }
    }

    /** One reported line's figures. */
    public record Figures(Scenario.Line line, double knitting, double baseline, double ratio, double difference,
                          String knittingError, String baselineError) {
        /** @return whether the goal is met; {@code null} when a side has no figure */
        public Boolean goalMet() {
            if (knittingError != null || baselineError != null || Double.isNaN(ratio)) {
                return null;
            }
            return line.goal().check().met(this);
        }
    }

    private final Scenario scenario;
    private final List<Side> sides = new ArrayList<>();

    ScenarioResult(Scenario scenario, List<String> names) {
        this.scenario = scenario;
        for (String n : names) {
            sides.add(new Side(n));
        }
    }

    /** @return the scenario */
    public Scenario scenario() {
        return scenario;
    }

    /** @return knitting first, then the baseline, then extras */
    public List<Side> sides() {
        return sides;
    }

    /** @return the figures of every line */
    public List<Figures> figures() {
        List<Figures> out = new ArrayList<>();
        for (Scenario.Line line : scenario.lines()) {
            out.add(figures(line, sides.get(0), sides.get(1)));
        }
        return out;
    }

    /** @return the figures of one line for any two sides (knitting-like first) */
    public static Figures figures(Scenario.Line line, Side subject, Side baseline) {
        Metric m = line.metric();
        double k = subject.median(m);
        double b = baseline.median(m);
        int n = Math.min(subject.rounds.size(), baseline.rounds.size());
        double ratio = Double.NaN;
        double difference = Double.NaN;
        if (subject.error == null && baseline.error == null && n > 0) {
            double[] paired = new double[n];
            for (int i = 0; i < n; i++) {
                paired[i] = m.ratio(m.value().applyAsDouble(subject.rounds.get(i)),
                        m.value().applyAsDouble(baseline.rounds.get(i)));
            }
            ratio = median(paired);
            difference = median(differences(m, subject, baseline));
        }
        return new Figures(line, k, b, ratio, difference, subject.error, baseline.error);
    }

    /** @return the metric's per-round differences, subject round i minus baseline round i */
    static double[] differences(Metric m, Side subject, Side baseline) {
        int n = Math.min(subject.rounds.size(), baseline.rounds.size());
        double[] differences = new double[n];
        for (int i = 0; i < n; i++) {
            differences[i] = m.value().applyAsDouble(subject.rounds.get(i)) - m.value().applyAsDouble(baseline.rounds.get(i));
        }
        return differences;
    }

    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
