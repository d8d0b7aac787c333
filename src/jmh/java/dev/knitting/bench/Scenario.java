package dev.knitting.bench;

import java.util.List;
import java.util.function.Supplier;

/**
 * One benchmark scenario: contenders (the first is knitting, the second its baseline, any further
 * ones informational), measured in interleaved rounds, reported as one G-line per {@link Line}.
 *
 * @param id the goal number, e.g. "G1"
 * @param contenders creates fresh contenders (called once per run)
 * @param lines the figures reported, each against a goal
 * @param warmupRounds rounds per contender discarded before measuring
 * @param rounds measured rounds per contender
 * @param warmup the spec of warm-up rounds
 * @param spec the spec of measured rounds
 * @param roundTimeoutMillis a round (or open/close) running longer fails its contender
 * @param quietWaitMillis before each measured round, wait up to this long for other processes
 *        to go quiet (0: do not wait)
 */
public record Scenario(String id, Supplier<List<Contender>> contenders, List<Line> lines, int warmupRounds,
                       int rounds, RoundSpec warmup, RoundSpec spec, long roundTimeoutMillis,
                       long quietWaitMillis) {

    /** @return this scenario waiting up to {@code millis} for a quiet machine before each round */
    public Scenario quietWait(long millis) {
        return new Scenario(id, contenders, lines, warmupRounds, rounds, warmup, spec, roundTimeoutMillis, millis);
    }

    /**
     * One reported figure.
     *
     * @param what the description in the G-line, e.g. "tiny call int->int thread hot p50 vs TPE(1)"
     * @param metric the figure taken from each round
     * @param goal the goal text and its check
     */
    public record Line(String what, Metric metric, Goal goal) {
    }

    /**
     * A goal from BENCHMARKS.md, checked against the medians.
     *
     * @param text the goal as written in BENCHMARKS.md
     * @param check given the knitting figure and the ratio, whether the goal is met
     */
    public record Goal(String text, Check check) {
        /** The goal's test. */
        @FunctionalInterface
        public interface Check {
            /** @return true when met */
            boolean met(double knitting, double ratio);
        }

        /**
         * A goal on what knitting adds to its baseline ("knitting <= baseline + {@code limit}"),
         * checked on the median of the per-round differences, knitting round i minus baseline round
         * i. Where both sides are measured at the same moments (G8, call by call: {@link CallByCall}),
         * each difference compares one placement of the threads, whereas the two medians over rounds
         * may come from rounds in different placements.
         *
         * @param limit the most knitting may add, in the metric's unit
         */
        public record AtMostAbove(double limit) implements Check {
            /** Without the rounds: the medians' difference (what {@link Figures#goalMet} uses when a side lacks rounds). */
            @Override
            public boolean met(double knitting, double ratio) {
                return knitting - knitting * ratio <= limit;
            }

            /** @return whether the median of the per-round differences is within the limit */
            public boolean metByDifference(double medianDifference) {
                return medianDifference <= limit;
            }
        }
    }
}
