package dev.knitting.internal.lane;

import java.time.Duration;

/**
 * How long a loop that only waits for work (a worker's lane loop, a pool's answer collector)
 * sleeps per park slice: {@code maxPark} right after work, then twice as long after each slice
 * that passed without any, up to {@link #IDLE_CAP_NANOS} (or {@code maxPark}, if longer).
 *
 * <p>Why: work always rings the loop's doorbell, so a slice ending is only a re-check against a
 * ring that went missing, and a few sweeps that may wait (mappings of memory freed elsewhere).
 * Each re-check of an idle loop cost 100-370 µs of CPU here (its path is called too rarely to be
 * compiled), four times a second per thread. Backing off to one re-check every two seconds cuts
 * that eightfold: an idle pool of 2 thread and 2 process workers used 1.1-1.3% of a core, and 0.4%
 * with the back-off. Any work brings the slices back to {@code maxPark}. Not thread-safe: one per
 * loop.
 */
public final class IdleSlices {
    /** The longest slice an idle loop backs off to, unless {@code maxPark} is longer: 2 s. */
    public static final long IDLE_CAP_NANOS = 2_000_000_000L;

    private final long first;
    private final long cap;
    private long next;

    /** @param maxParkNanos the policy's longest single park, the slice right after work */
    public IdleSlices(long maxParkNanos) {
        if (maxParkNanos <= 0) {
            throw new IllegalArgumentException("maxParkNanos=" + maxParkNanos + " must be positive");
        }
        this.first = maxParkNanos;
        this.cap = Math.max(maxParkNanos, IDLE_CAP_NANOS);
        this.next = maxParkNanos;
    }

    /**
     * @return the longest slice, as the {@code maxPark} of the loop's idle strategy (an
     *     {@link IdleStrategy} also cuts each sleep at its own {@code maxPark})
     */
    public Duration longest() {
        return Duration.ofNanos(cap);
    }

    /** @return how long to park now */
    public long current() {
        return next;
    }

    /** @param worked whether the loop found work or was woken, else a whole slice passed idle */
    public void after(boolean worked) {
        if (worked) {
            worked();
        } else {
            idled();
        }
    }

    /** Work arrived (or the loop was woken): the next slice is {@code maxPark} again. */
    public void worked() {
        next = first;
    }

    /** A whole slice passed without work: the next one is twice as long, up to the cap. */
    public void idled() {
        next = Math.min(cap, next * 2); // next <= max(10 s, 2 s): no overflow
    }
}
