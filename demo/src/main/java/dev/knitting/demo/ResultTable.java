package dev.knitting.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The table the demo prints: one row per variant, times, speed-up and pixel traffic. */
final class ResultTable {
    private static final String[] HEADER = {"variant", "workers", "best", "median", "speed-up", "copied in transit",
        "shared in place", "output"};

    private ResultTable() {
    }

    static String render(List<Measurements> all) {
        long baseline = all.getFirst().best();
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Measurements m : all) {
            rows.add(new String[] {m.variant.name(), String.valueOf(m.variant.workers()), millis(m.best()),
                millis(m.median()), String.format(Locale.ROOT, "%.2fx", (double) baseline / m.best()),
                bytes(m.traffic().copied()), bytes(m.traffic().shared()),
                m == all.getFirst() ? "reference" : m.mismatch() == null ? "identical" : "DIFFERENT"});
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            out.append("| ");
            for (int c = 0; c < widths.length; c++) {
                String cell = rows.get(r)[c];
                boolean left = c == 0 || c == widths.length - 1;
                out.append(left ? pad(cell, widths[c], false) : pad(cell, widths[c], true)).append(" | ");
            }
            out.setLength(out.length() - 1);
            out.append('\n');
            if (r == 0) {
                out.append('|');
                for (int c = 0; c < widths.length; c++) {
                    boolean left = c == 0 || c == widths.length - 1;
                    out.append(left ? "-".repeat(widths[c] + 2) : "-".repeat(widths[c] + 1) + ":").append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    static String bytes(long n) {
        if (n == 0) {
            return "0 B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    private static String pad(String s, int width, boolean right) {
        String space = " ".repeat(width - s.length());
        return right ? space + s : s + space;
    }
}
