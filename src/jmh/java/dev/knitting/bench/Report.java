package dev.knitting.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders results: the G-lines ({@code G<n> <what> knitting=<figure> baseline=<figure> ratio=<R>x}),
 * the raw per-scenario summary, JSON, and the README's markdown table.
 */
public final class Report {
    /** The caveat printed under every table. */
    public static final String CAVEAT = "Caveat: a shared 2-vCPU VM whose wake-up costs drift by up to 10x over"
            + " minutes; only the ratios, measured side by side in one JVM (rounds interleaved A B, B A, ...),"
            + " mean much. Figures are medians over rounds; each ratio is the median of per-round paired ratios"
            + " (> 1: knitting better), so it may differ slightly from the quotient of the two medians.";

    private final String header;
    private final String mode;
    private final List<ScenarioResult> results = new ArrayList<>();

    /**
     * @param header JDK, OS, CPUs, date
     * @param mode "quick" or "full", plus the commit
     */
    public Report(String header, String mode) {
        this.header = header;
        this.mode = mode;
    }

    /** Adds a finished scenario. */
    public void add(ScenarioResult result) {
        results.add(result);
    }

    /** @return the header line of the text output */
    public String headerLine() {
        return "# knitting bench (" + mode + ") | " + header;
    }

    /** @return the G-lines of one scenario */
    public static List<String> lines(ScenarioResult result) {
        List<String> out = new ArrayList<>();
        for (ScenarioResult.Figures f : result.figures()) {
            out.add(result.scenario().id() + " " + f.line().what()
                    + " knitting=" + figure(f.line().metric(), f.knitting(), f.knittingError())
                    + " baseline=" + figure(f.line().metric(), f.baseline(), f.baselineError())
                    + " ratio=" + Units.ratio(f.ratio()));
        }
        return out;
    }

    /** @return the informational extras of a scenario (contenders after the baseline), for raw output */
    public static List<String> extras(ScenarioResult result) {
        List<String> out = new ArrayList<>();
        List<ScenarioResult.Side> sides = result.sides();
        for (int i = 2; i < sides.size(); i++) {
            ScenarioResult.Side extra = sides.get(i);
            for (Scenario.Line line : result.scenario().lines()) {
                ScenarioResult.Figures vsKnitting = ScenarioResult.figures(line, sides.get(0), extra);
                ScenarioResult.Figures vsBaseline = ScenarioResult.figures(line, sides.get(1), extra);
                out.add(String.format(Locale.ROOT, "%s extra %s %s=%s; ratio (> 1: better than it) of %s=%s, of %s=%s",
                        result.scenario().id(), line.metric().label(), extra.name(),
                        figure(line.metric(), vsKnitting.baseline(), extra.error()), sides.get(0).name(),
                        Units.ratio(vsKnitting.ratio()), sides.get(1).name(), Units.ratio(vsBaseline.ratio())));
            }
        }
        return out;
    }

    /** Other processes using more than this many cores (median over rounds) make a run suspect. */
    public static final double BUSY_MACHINE_CORES = 0.25;

    /**
     * @return a {@code #} warning line when other processes used CPU during the knitting or baseline
     *         rounds of any scenario (median over rounds above {@link #BUSY_MACHINE_CORES}), else null
     */
    public String busyMachineWarning() {
        StringBuilder busy = new StringBuilder();
        for (ScenarioResult r : results) {
            double worst = 0;
            for (int i = 0; i < Math.min(2, r.sides().size()); i++) {
                double f = r.sides().get(i).medianForeignCores();
                if (!Double.isNaN(f)) {
                    worst = Math.max(worst, f);
                }
            }
            if (worst > BUSY_MACHINE_CORES) {
                busy.append(String.format(Locale.ROOT, " %s=%.1f", r.scenario().id(), worst));
            }
        }
        return busy.isEmpty() ? null
                : "# warning: other processes were using CPU during the rounds (median cores:" + busy
                        + "); figures reflect that contention, rerun on a quiet machine";
    }

    /** @return the per-side details of a scenario for the raw file: per-round figures, histograms, CPU */
    public static String details(ScenarioResult result) {
        StringBuilder out = new StringBuilder();
        String id = result.scenario().id();
        for (Scenario.Line line : result.scenario().lines()) {
            Metric m = line.metric();
            out.append(String.format(Locale.ROOT, "   %s %s per round:%n", id, m.label()));
            for (ScenarioResult.Side side : result.sides()) {
                out.append(String.format(Locale.ROOT, "     %-36s", side.name()));
                for (Measurement r : side.rounds()) {
                    out.append(' ').append(m.format().apply(m.value().applyAsDouble(r)));
                }
                out.append(side.error() == null ? "" : " error: " + side.error()).append('\n');
            }
            List<ScenarioResult.Side> sides = result.sides();
            int n = Math.min(sides.get(0).rounds().size(), sides.get(1).rounds().size());
            out.append(String.format(Locale.ROOT, "     %-36s", "paired ratios"));
            for (int i = 0; i < n; i++) {
                out.append(' ').append(Units.ratio(m.ratio(m.value().applyAsDouble(sides.get(0).rounds().get(i)),
                        m.value().applyAsDouble(sides.get(1).rounds().get(i)))));
            }
            out.append('\n');
            if (line.goal().check() instanceof Scenario.Goal.AtMostAbove) {
                out.append(String.format(Locale.ROOT, "     %-36s", "paired differences (the goal's figure)"));
                for (double d : ScenarioResult.differences(m, sides.get(0), sides.get(1))) {
                    out.append(' ').append(signed(m, d));
                }
                out.append('\n');
            }
        }
        for (ScenarioResult.Side side : result.sides()) {
            out.append(String.format(Locale.ROOT, "   %s %s: %d rounds, median cpu %.2f cores, others %.2f cores%s%n",
                    id, side.name(), side.rounds().size(), side.medianCores(), side.medianForeignCores(),
                    side.error() == null ? "" : ", error: " + side.error()));
            LatencyHistogram h = side.mergedHistogram();
            if (h != null && h.count() > 0) {
                out.append("     all rounds: ").append(h.summary()).append('\n');
                out.append(h.render("       "));
            }
        }
        return out.toString();
    }

    /** @return {@code value} in the metric's unit, with a minus sign when negative */
    private static String signed(Metric m, double value) {
        return Double.isNaN(value) ? "n/a" : value < 0 ? "-" + m.format().apply(-value) : m.format().apply(value);
    }

    /** @return the README table: header line, table, caveat line */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("Measured with `scripts/bench").append(mode.startsWith("quick") ? " --quick" : "").append("` (")
                .append(mode).append(") on ").append(header).append(".\n\n");
        out.append("| scenario | knitting | baseline | ratio | goal |\n");
        out.append("|---|---|---|---|---|\n");
        for (ScenarioResult r : results) {
            for (ScenarioResult.Figures f : r.figures()) {
                Metric m = f.line().metric();
                Boolean met = f.goalMet();
                out.append("| ").append(r.scenario().id()).append(' ').append(f.line().what())
                        .append(" | ").append(figure(m, f.knitting(), f.knittingError()))
                        .append(" | ").append(figure(m, f.baseline(), f.baselineError())).append(' ')
                        .append("(").append(r.sides().get(1).name()).append(")")
                        .append(" | ").append(Units.ratio(f.ratio()))
                        .append(" | ").append(f.line().goal().text())
                        .append(f.line().goal().check() instanceof Scenario.Goal.AtMostAbove
                                ? "; median difference " + signed(m, f.difference()) : "")
                        .append(met == null ? " (not measured)" : met ? " (met)" : " (**not met**)")
                        .append(" |\n");
            }
        }
        out.append('\n').append(CAVEAT).append('\n');
        String warning = busyMachineWarning();
        if (warning != null) {
            out.append('\n').append(warning.substring(2)).append('\n');
        }
        return out.toString();
    }

    /** @return every figure as one JSON document */
    public String json() {
        StringBuilder out = new StringBuilder();
        out.append("{\n  \"header\": ").append(quote(header)).append(",\n  \"mode\": ").append(quote(mode))
                .append(",\n  \"results\": [");
        String sep = "\n";
        for (ScenarioResult r : results) {
            for (ScenarioResult.Figures f : r.figures()) {
                out.append(sep).append("    {\"id\": ").append(quote(r.scenario().id()))
                        .append(", \"what\": ").append(quote(f.line().what()))
                        .append(", \"metric\": ").append(quote(f.line().metric().label()))
                        .append(", \"lowerIsBetter\": ").append(f.line().metric().lowerIsBetter())
                        .append(", \"knitting\": ").append(side(r.sides().get(0), f.line().metric(), f.knitting()))
                        .append(", \"baseline\": ").append(side(r.sides().get(1), f.line().metric(), f.baseline()))
                        .append(", \"ratio\": ").append(number(f.ratio()))
                        .append(", \"difference\": ").append(number(f.difference()))
                        .append(", \"goal\": ").append(quote(f.line().goal().text()))
                        .append(", \"goalMet\": ").append(f.goalMet())
                        .append(", \"line\": ").append(quote(lineOf(r, f)));
                List<String> extras = new ArrayList<>();
                for (int i = 2; i < r.sides().size(); i++) {
                    ScenarioResult.Side e = r.sides().get(i);
                    extras.add(side(e, f.line().metric(), e.median(f.line().metric())));
                }
                out.append(", \"extras\": [").append(String.join(", ", extras)).append("]}");
                sep = ",\n";
            }
        }
        String warning = busyMachineWarning();
        out.append("\n  ],\n  \"caveat\": ").append(quote(CAVEAT)).append(",\n  \"warning\": ")
                .append(warning == null ? "null" : quote(warning)).append("\n}\n");
        return out.toString();
    }

    private static String lineOf(ScenarioResult r, ScenarioResult.Figures f) {
        for (String l : lines(r)) {
            if (l.startsWith(r.scenario().id() + " " + f.line().what() + " ")) {
                return l;
            }
        }
        return "";
    }

    private static String side(ScenarioResult.Side s, Metric m, double value) {
        return "{\"name\": " + quote(s.name()) + ", \"value\": " + number(value) + ", \"figure\": "
                + quote(figure(m, value, s.error())) + ", \"error\": " + (s.error() == null ? "null" : quote(s.error()))
                + ", \"rounds\": " + s.rounds().size() + ", \"cores\": " + number(s.medianCores()) + "}";
    }

    /** @return the figure with its unit, or error(reason) with no spaces so the line stays parseable */
    static String figure(Metric m, double value, String error) {
        if (error != null) {
            String e = error.replaceAll("\\s+", "_").replace('|', '/');
            return "error(" + (e.length() > 60 ? e.substring(0, 60) + "..." : e) + ")";
        }
        return Double.isNaN(value) ? "n/a" : m.format().apply(value);
    }

    private static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
