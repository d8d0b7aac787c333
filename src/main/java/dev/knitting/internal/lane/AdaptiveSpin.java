package dev.knitting.internal.lane;

/**
 * How long a spinner spins purely before it starts yielding, learned from how its waits end. A
 * wait satisfied while spinning purely means the peer runs on another CPU: keep (grow back to)
 * {@link #MAX_PURE_NANOS}. A wait satisfied only after yielding means the peer needed this CPU
 * (both threads packed on one vCPU by load or placement): halve it, down to none, so the next
 * handoff costs a yield instead of a spin budget. A wait that yielded but whose peer answered from
 * another CPU ({@link CpuHint#peerRunsElsewhere()}) counts as pure: the peer took longer than the
 * pure phase and did not need the yield. Counting it as packed could keep the pure phase stuck
 * below a slower operation: calls alternating a tiny task (which doubles it back) and a larger one
 * (which halved it) yielded on every larger call, ~0.7 us more per call with both sides on free
 * CPUs. Shared by racing threads without locks: it is a hint, and a lost update only delays the
 * adaptation by one wait.
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
