package dev.knitting;

import java.time.Duration;
import java.util.Objects;

/**
 * How a waiting thread (a worker with no calls, a caller in {@code join}, the pool's answer
 * collector) spends the time before it sleeps: it spins for {@code spin}, then yields the CPU
 * {@code yields} times, then parks on a futex until woken, re-checking at least every
 * {@code maxPark}. Wakers pay a system call only when a waiter actually sleeps.
 *
 * <p>Work always rings a sleeping thread, so a re-check only guards against a missing ring. A
 * worker or an answer collector that stays idle re-checks less and less often: each whole park
 * without work doubles the next one, up to 2 seconds (or {@code maxPark}, if longer), and any work
 * brings it back to {@code maxPark}. An idle pool thus wakes each of its threads about once every
 * two seconds. Callers waiting in {@code join()} always re-check every {@code maxPark}.
 *
 * @param spin how long to busy-spin before yielding (zero: never spin)
 * @param yields how many {@code Thread.yield()} rounds before parking
 * @param maxPark the longest single park before re-checking
 */
public record IdlePolicy(Duration spin, int yields, Duration maxPark) {
    /** The default: a short spin keeps back-to-back calls hot; idle workers cost nothing. */
    public static final IdlePolicy BALANCED = new IdlePolicy(Duration.ofNanos(50_000), 8, Duration.ofMillis(250));
    /** Longer spinning for the lowest latency at the price of CPU while calls trickle in. */
    public static final IdlePolicy LOW_LATENCY = new IdlePolicy(Duration.ofNanos(500_000), 32, Duration.ofMillis(250));
    /** No spinning: every wait parks at once. Lowest CPU, highest wake-up latency. */
    public static final IdlePolicy LOW_CPU = new IdlePolicy(Duration.ZERO, 0, Duration.ofMillis(250));

    /** Validates every component, naming the bad one. */
    public IdlePolicy {
        Objects.requireNonNull(spin, "spin");
        Objects.requireNonNull(maxPark, "maxPark");
        if (spin.isNegative()) {
            throw new IllegalArgumentException("spin=" + spin + " must not be negative");
        }
        if (yields < 0) {
            throw new IllegalArgumentException("yields=" + yields + " must not be negative");
        }
        if (maxPark.isNegative() || maxPark.isZero() || maxPark.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("maxPark=" + maxPark + " must be in (0, 10s]");
        }
    }
}
