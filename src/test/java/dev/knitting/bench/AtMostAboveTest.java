package dev.knitting.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AtMostAboveTest {
    private static final Scenario.Line LINE = new Scenario.Line("64 MiB round trip p50 vs tiny call",
            Metric.percentile(50), new Scenario.Goal("round trip <= tiny-call round trip + 1 us",
                    new Scenario.Goal.AtMostAbove(1_000)));

    private static ScenarioResult.Side side(String name, long... p50s) {
        ScenarioResult.Side side = new ScenarioResult.Side(name);
        for (long p50 : p50s) {
            LatencyHistogram h = new LatencyHistogram();
            h.record(p50);
            side.rounds.add(new Measurement(1, 1, 1, 0, h, 0, 0, Double.NaN, Double.NaN, ""));
        }
        return side;
    }

    @Test
    void shouldJudgeWhatKnittingAddsByTheMedianOfThePerRoundDifferences() {
        // one quick run of G8 (process, unsafe): round 4 alone ran the reference calls slow
        ScenarioResult.Figures figures = ScenarioResult.figures(LINE,
                side("reference", 2_500, 1_640, 1_670, 2_340, 2_360), side("tiny call", 2_010, 925, 921, 945, 1_900));

        assertThat(figures.difference()).isBetween(690.0, 760.0);
        assertThat(figures.knitting() - figures.baseline()).as("the medians come from different rounds")
                .isGreaterThan(1_000);
        assertThat(figures.goalMet()).isTrue();
    }

    @Test
    void shouldFailWhenMostRoundsAddMoreThanTheLimit() {
        ScenarioResult.Figures figures = ScenarioResult.figures(LINE,
                side("reference", 2_500, 2_600, 1_500, 2_400, 2_450), side("tiny call", 1_000, 1_100, 1_000, 1_050, 950));

        assertThat(figures.goalMet()).isFalse();
    }
}
