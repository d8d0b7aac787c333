package dev.knitting.bench;

import java.util.Locale;

/**
 * Log-linear histogram of nanosecond values, dependency-free (no HdrHistogram). Values below 256
 * are exact; above, each power of two is split into 128 buckets, so a reported percentile is within
 * 1/128 (0.8%) of the recorded value. {@code record} does not allocate; histograms merge by adding
 * counts. Not thread-safe: one recording thread per histogram.
 *
 * <p>Bucket index: for {@code v < 256} it is {@code v}; otherwise with {@code shift = msb(v) - 7},
 * it is {@code shift * 128 + (v >>> shift)}, a value in {@code [256, 57 * 128)}.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 7;
    private static final int SUB_COUNT = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB_COUNT;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;
    private double sum;

    /** Records one value; negative values count as 0. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        sum += v;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
    }

    /** Adds every count of {@code other} to this histogram. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    /** @return how many values were recorded */
    public long count() {
        return total;
    }

    /** @return the smallest recorded value (exact), or 0 if empty */
    public long min() {
        return total == 0 ? 0 : min;
    }

    /** @return the largest recorded value (exact), or 0 if empty */
    public long max() {
        return total == 0 ? 0 : max;
    }

    /** @return the arithmetic mean, or 0 if empty */
    public double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /**
     * @param percentile in [0, 100]
     * @return the value at that percentile (nearest rank), as the middle of its bucket clamped to
     *         [min, max]; 0 if empty
     */
    public long percentile(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(percentile / 100.0 * total);
        rank = Math.max(1, Math.min(total, rank));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long mid = lowerBound(i) + (upperBound(i) - lowerBound(i)) / 2;
                return Math.max(min, Math.min(max, mid));
            }
        }
        return max;
    }

    /** @return "p50=.. p90=.. p99=.. p99.9=.. max=.. (n=..)" with units */
    public String summary() {
        return String.format(Locale.ROOT, "p50=%s p90=%s p99=%s p99.9=%s max=%s mean=%s min=%s n=%d",
                Units.nanos(percentile(50)), Units.nanos(percentile(90)), Units.nanos(percentile(99)),
                Units.nanos(percentile(99.9)), Units.nanos(max()), Units.nanos(mean()), Units.nanos(min()),
                total);
    }

    /**
     * Renders the non-empty buckets, merged into at most about 8 rows per power of two, with
     * count and cumulative percentage: the full histogram for raw output.
     */
    public String render(String indent) {
        StringBuilder out = new StringBuilder();
        out.append(indent).append(String.format(Locale.ROOT, "%12s %12s %10s %9s%n", "from", "to", "count", "cum%"));
        long seen = 0;
        int i = 0;
        while (i < BUCKETS) {
            // Group buckets to 16 sub-buckets (1/8 of a power of two) for a readable listing.
            int group = i < 2 * SUB_COUNT ? 16 : SUB_COUNT / 8;
            int end = Math.min(BUCKETS, i + group);
            long c = 0;
            for (int j = i; j < end; j++) {
                c += counts[j];
            }
            if (c > 0) {
                seen += c;
                out.append(indent).append(String.format(Locale.ROOT, "%12s %12s %10d %8.4f%%%n",
                        Units.nanos(lowerBound(i)), Units.nanos(upperBound(end - 1)), c, 100.0 * seen / total));
            }
            i = end;
        }
        return out.toString();
    }

    static int index(long v) {
        if (v < 2 * SUB_COUNT) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
        return shift * SUB_COUNT + (int) (v >>> shift);
    }

    static long lowerBound(int index) {
        if (index < 2 * SUB_COUNT) {
            return index;
        }
        int shift = index / SUB_COUNT - 1;
        long sub = index - (long) shift * SUB_COUNT;
        return sub << shift;
    }

    static long upperBound(int index) {
        if (index < 2 * SUB_COUNT) {
            return index;
        }
        int shift = index / SUB_COUNT - 1;
        long sub = index - (long) shift * SUB_COUNT;
        return ((sub + 1) << shift) - 1;
    }
}
