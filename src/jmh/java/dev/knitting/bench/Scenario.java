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
     * A goal from BENCHMARKS.md, checked against the medians and the paired ratio, or for
     * {@link AtMostAbove} against the median of the per-round differences.
     *
     * @param text the goal as written in BENCHMARKS.md
     * @param check given the figures, whether the goal is met
     */
    public record Goal(String text, Check check) {
        /** The goal's test. */
        @FunctionalInterface
        public interface Check {
            /** @return true when met, given the knitting median and the median paired ratio */
            boolean met(double knitting, double ratio);

            /** @return true when {@code figures} meet the goal; by default judged on the medians and the ratio */
            default boolean met(ScenarioResult.Figures figures) {
                return met(figures.knitting(), figures.ratio());
            }
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
            /** Never used: this goal is judged on the per-round differences ({@link #met(ScenarioResult.Figures)}). */
            @Override
            public boolean met(double knitting, double ratio) {
                throw new UnsupportedOperationException("judged on the median of the per-round differences");
            }

            @Override
            public boolean met(ScenarioResult.Figures figures) {
                return figures.difference() <= limit;
            }
        }
    }
}
