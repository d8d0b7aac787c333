package dev.knitting.demo;

import java.util.ArrayList;
import java.util.List;

/** The timed runs of one variant, its traffic and whether its output matched the reference. */
final class Measurements {
    final Variant variant;
    private final List<Long> nanos = new ArrayList<>();
    private Traffic traffic = Traffic.NONE;
    private String mismatch;

    Measurements(Variant variant) {
        this.variant = variant;
    }

    void add(long elapsedNanos, Traffic runTraffic) {
        nanos.add(elapsedNanos);
        traffic = runTraffic;
    }

    void mismatch(String where) {
        if (mismatch == null) {
            mismatch = where;
        }
    }

    /** @return the first difference from the reference, or {@code null} if every run matched */
    String mismatch() {
        return mismatch;
    }

    /** @return the traffic of the last run (every run moves the same bytes) */
    Traffic traffic() {
        return traffic;
    }

    long best() {
        return nanos.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    long median() {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
