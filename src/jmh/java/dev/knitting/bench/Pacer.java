package dev.knitting.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits for intended start times of a fixed schedule. Sleeping alone would overshoot (a park here
 * oversleeps by tens of microseconds, which the latency measured from the intended start would then
 * include), so it parks until {@link #SPIN_NANOS} before the deadline and spins the rest. The spin
 * runs on the calling thread only; the worker under test still goes to sleep between calls.
 */
public final class Pacer {
    /** How long before an intended start the caller stops parking and spins. */
    public static final long SPIN_NANOS = 200_000;

    private Pacer() {
    }

    /** Returns at or just after {@code deadline} ({@link System#nanoTime()} terms). */
    public static void awaitStart(long deadline) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > SPIN_NANOS) {
            LockSupport.parkNanos(remaining - SPIN_NANOS);
        }
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
