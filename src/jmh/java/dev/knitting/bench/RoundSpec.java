package dev.knitting.bench;

/**
 * How long or how much one round does. Hot and batched rounds run for {@code durationNanos};
 * paced rounds issue {@code calls} calls {@code intervalNanos} apart.
 *
 * @param durationNanos wall time of a timed round
 * @param calls calls of a paced round; for a batched round, the fewest calls it makes whatever its
 *        duration (warm-up rounds: the JIT compiles a call path after a count of calls, not a time,
 *        and on a loaded machine a timed warm-up can end while every side still runs interpreted)
 * @param intervalNanos spacing of intended start times in a paced round
 * @param window calls in flight per batch
 * @param payloadBytes payload size of echo rounds
 * @param primeHotCalls before a paced round, unmeasured back-to-back calls (JIT warm-up of the call path)
 * @param primeParkedCalls then unmeasured calls spaced past the idle spin, so the callee parks
 *        before each (JIT warm-up of the sleep and wake-up paths)
 */
public record RoundSpec(long durationNanos, int calls, long intervalNanos, int window, int payloadBytes,
                        int primeHotCalls, int primeParkedCalls) {
    /** A timed round of {@code millis}. */
    public static RoundSpec timed(long millis) {
        return new RoundSpec(millis * 1_000_000L, 0, 0, 0, 0, 0, 0);
    }

    /** @return this spec with a payload size */
    public RoundSpec withPayload(int bytes) {
        return new RoundSpec(durationNanos, calls, intervalNanos, window, bytes, primeHotCalls, primeParkedCalls);
    }

    /** @return this (batched) spec running at least {@code minimum} calls, however long that takes */
    public RoundSpec atLeast(int minimum) {
        return new RoundSpec(durationNanos, minimum, intervalNanos, window, payloadBytes, primeHotCalls,
                primeParkedCalls);
    }

    /** @return this spec with a batch window */
    public RoundSpec withWindow(int w) {
        return new RoundSpec(durationNanos, calls, intervalNanos, w, payloadBytes, primeHotCalls, primeParkedCalls);
    }

    /**
     * @return this (paced) spec preceded by a warm-up of {@code hot} back-to-back calls and
     *         {@code parked} calls that find the callee asleep; meant for the warm-up rounds of the
     *         parked scenarios, where a few hundred calls 1 ms apart would leave every side's call
     *         path to the interpreter
     */
    public RoundSpec primed(int hot, int parked) {
        return new RoundSpec(durationNanos, calls, intervalNanos, window, payloadBytes, hot, parked);
    }

    /** @return this spec {@link #primed} with the warm-up of the parked scenarios (G2, G4) */
    public RoundSpec primedForParked() {
        return primed(PARKED_PRIME_HOT_CALLS, PARKED_PRIME_PARKED_CALLS);
    }

    /** {@link #primedForParked}: back-to-back calls, enough for C2 to compile every side's call path. */
    public static final int PARKED_PRIME_HOT_CALLS = 20_000;
    /** {@link #primedForParked}: calls that find the callee asleep (about 0.6 s at 200 us apart). */
    public static final int PARKED_PRIME_PARKED_CALLS = 3_000;

    /** A paced round: {@code calls} calls, {@code intervalNanos} apart. */
    public static RoundSpec paced(int calls, long intervalNanos) {
        return new RoundSpec(0, calls, intervalNanos, 0, 0, 0, 0);
    }
}
