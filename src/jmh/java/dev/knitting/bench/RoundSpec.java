package dev.knitting.bench;

/**
 * How long or how much one round does. Hot and batched rounds run for {@code durationNanos};
 * paced rounds issue {@code calls} calls {@code intervalNanos} apart.
 *
 * @param durationNanos wall time of a timed round
 * @param calls calls of a paced round
 * @param intervalNanos spacing of intended start times in a paced round
 * @param window calls in flight per batch
 * @param payloadBytes payload size of echo rounds
 */
public record RoundSpec(long durationNanos, int calls, long intervalNanos, int window, int payloadBytes) {
    /** A timed round of {@code millis}. */
    public static RoundSpec timed(long millis) {
        return new RoundSpec(millis * 1_000_000L, 0, 0, 0, 0);
    }

    /** @return this spec with a payload size */
    public RoundSpec withPayload(int bytes) {
        return new RoundSpec(durationNanos, calls, intervalNanos, window, bytes);
    }

    /** @return this spec with a batch window */
    public RoundSpec withWindow(int w) {
        return new RoundSpec(durationNanos, calls, intervalNanos, w, payloadBytes);
    }

    /** A paced round: {@code calls} calls, {@code intervalNanos} apart. */
    public static RoundSpec paced(int calls, long intervalNanos) {
        return new RoundSpec(0, calls, intervalNanos, 0, 0);
    }
}
