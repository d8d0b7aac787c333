package dev.knitting.bench;

import java.util.Locale;

/** Formats figures with ASCII units, so scripts can read them: ns/us/ms/s, calls/s, GB/s (10^9). */
public final class Units {
    private Units() {
    }

    /** @return e.g. "210ns", "4.12us", "1.05ms", "2.30s" */
    public static String nanos(double ns) {
        if (ns < 1_000) {
            return String.format(Locale.ROOT, "%.0fns", ns);
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%sus", sig3(ns / 1e3));
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, "%sms", sig3(ns / 1e6));
        }
        return String.format(Locale.ROOT, "%ss", sig3(ns / 1e9));
    }

    /** @return e.g. "22.1Mcalls/s", "310kcalls/s" */
    public static String callsPerSecond(double perSecond) {
        if (perSecond >= 1e6) {
            return sig3(perSecond / 1e6) + "Mcalls/s";
        }
        if (perSecond >= 1e3) {
            return sig3(perSecond / 1e3) + "kcalls/s";
        }
        return sig3(perSecond) + "calls/s";
    }

    /** @return e.g. "14.2GB/s", "850MB/s" (decimal units) */
    public static String bytesPerSecond(double perSecond) {
        if (perSecond >= 1e9) {
            return sig3(perSecond / 1e9) + "GB/s";
        }
        return sig3(perSecond / 1e6) + "MB/s";
    }

    /** @return e.g. "19.5x", "0.87x", "123x" */
    public static String ratio(double r) {
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "n/a";
        }
        return sig3(r) + "x";
    }

    /** Three significant digits, no exponent: 1.23, 12.3, 123, 1234. */
    static String sig3(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
