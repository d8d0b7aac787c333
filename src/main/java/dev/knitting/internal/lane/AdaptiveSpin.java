package dev.knitting.internal.lane;

/**
 * How long a spinner spins purely before it starts yielding, learned from how its waits end. A
 * wait satisfied while spinning purely means the peer runs on another CPU: keep (grow back to)
 * {@link #MAX_PURE_NANOS}. A wait satisfied only after yielding means the peer needed this CPU
 * (both threads packed on one vCPU by load or placement): halve it, down to none, so the next
 * handoff costs a yield instead of a spin budget. Shared by racing threads without locks: it is
 * a hint, and a lost update only delays the adaptation by one wait.
 */
public final class AdaptiveSpin {
    /** The longest pure spin: a round trip between two free CPUs takes well under this. */
    public static final long MAX_PURE_NANOS = 2_000;

    private long pureNanos = MAX_PURE_NANOS;

    /** @return how long to spin before yielding, now */
    public long pureNanos() {
        return pureNanos;
    }

    /** The wait ended while spinning purely. */
    public void satisfiedWhilePure() {
        long now = pureNanos;
        if (now < MAX_PURE_NANOS) {
            pureNanos = Math.min(MAX_PURE_NANOS, now * 2 + 64);
        }
    }

    /** The wait ended only after the spinner had started yielding. */
    public void satisfiedAfterYield() {
        pureNanos = pureNanos / 2;
    }
}
