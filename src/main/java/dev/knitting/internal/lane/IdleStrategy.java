package dev.knitting.internal.lane;

import dev.knitting.IdlePolicy;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition the way {@link IdlePolicy} says: busy-spin for {@code spin} (reading the
 * clock only every {@link #SPINS_PER_CLOCK_READ} spins), then {@code Thread.yield()}
 * {@code yields} times, then sleep on a {@link Doorbell} in slices of at most {@code maxPark}, so
 * that a lost or missing ring costs at most one slice. Never parks for a nanosecond as a backoff
 * step (that sleeps ~70 µs on this machine kind). Stateless and thread-safe.
 */
public final class IdleStrategy {
    /** Spins between two reads of {@link System#nanoTime()}. */
    public static final int SPINS_PER_CLOCK_READ = 64;

    private final IdlePolicy policy;
    private final long spinNanos;
    /**
     * Upper bound of pure spinning. Past the (adaptive, see {@link AdaptiveSpin}) pure phase a
     * spinner yields every {@value #SPINS_PER_CLOCK_READ} spins: when the peer it waits for was
     * queued on the same vCPU (the kernel places woken threads near their waker), pure spinning
     * would hold it off for the whole budget, making a round trip cost two spin budgets.
     */
    public static final long PURE_SPIN_NANOS = AdaptiveSpin.MAX_PURE_NANOS;

    /** A virtual thread's first park slice ({@link #awaitVirtual}). */
    static final long VIRTUAL_FIRST_PARK_NANOS = 20_000;
    /** A virtual thread's longest park slice ({@link #awaitVirtual}). */
    static final long VIRTUAL_MAX_PARK_NANOS = 1_000_000;

    private final AdaptiveSpin adaptive = new AdaptiveSpin();
    private final int yields;
    private final long maxParkNanos;

    /** @param policy spin, yield and park budget */
    public IdleStrategy(IdlePolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.spinNanos = saturatedNanos(policy.spin());
        this.yields = policy.yields();
        this.maxParkNanos = saturatedNanos(policy.maxPark());
    }

    /** @return the policy this strategy follows */
    public IdlePolicy policy() {
        return policy;
    }

    /**
     * Waits until {@code ready} is true or {@code timeoutNanos} passed, knowing nothing of where the
     * peer runs ({@link CpuHint#NONE}).
     *
     * @param ready the condition; must become true only after the waker's data is stored, and the
     *     waker must ring {@code doorbell} afterwards
     * @param doorbell what to sleep on once spinning and yielding are over
     * @param timeoutNanos longest wait; zero or less checks once
     * @return whether {@code ready} held when returning
     */
    public boolean await(BooleanSupplier ready, Doorbell doorbell, long timeoutNanos) {
        return await(ready, doorbell, timeoutNanos, CpuHint.NONE);
    }

    /**
     * Waits until {@code ready} is true or {@code timeoutNanos} passed. While the peer is known to
     * be queued on this thread's CPU ({@code hint}), spinning only holds the peer off: the spinner
     * yields on every check instead, so a hand-off costs a context switch, not a spin slice.
     *
     * @param ready the condition; must become true only after the waker's data is stored, and the
     *     waker must ring {@code doorbell} afterwards
     * @param doorbell what to sleep on once spinning and yielding are over
     * @param timeoutNanos longest wait; zero or less checks once
     * @param hint where this side and its peer run
     * @return whether {@code ready} held when returning
     */
    public boolean await(BooleanSupplier ready, Doorbell doorbell, long timeoutNanos, CpuHint hint) {
        if (ready.getAsBoolean()) {
            return true;
        }
        if (timeoutNanos <= 0) {
            return false;
        }
        if (Thread.currentThread().isVirtual()) {
            return awaitVirtual(ready, timeoutNanos);
        }
        long start = System.nanoTime();
        long spinBudget = Math.min(spinNanos, timeoutNanos);
        if (spinBudget > 0) {
            int spins = 0;
            boolean yielded = false;
            long pure = adaptive.pureNanos();
            boolean packed = hint.peerSharesMyCpu();
            while (true) {
                if (packed) {
                    Thread.yield(); // the peer is queued on this CPU: let it run now
                } else {
                    Thread.onSpinWait();
                }
                if (ready.getAsBoolean()) {
                    if (packed) {
                        return true; // says nothing about how long to spin purely
                    }
                    if (yielded && !hint.peerRunsElsewhere()) {
                        adaptive.satisfiedAfterYield();
                    } else {
                        adaptive.satisfiedWhilePure();
                    }
                    return true;
                }
                if (packed || ++spins == SPINS_PER_CLOCK_READ) {
                    spins = 0;
                    long spun = System.nanoTime() - start;
                    if (spun >= spinBudget) {
                        break;
                    }
                    packed = hint.peerSharesMyCpu();
                    if (!packed && spun >= pure) {
                        yielded = true;
                        Thread.yield(); // let a thread queued on this vCPU (often our peer) run
                    }
                }
            }
        }
        for (int i = 0; i < yields; i++) {
            Thread.yield();
            if (ready.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - start >= timeoutNanos) {
                return false;
            }
        }
        hint.sleeping();
        while (true) {
            long left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                return ready.getAsBoolean();
            }
            if (doorbell.sleep(ready, Math.min(left, maxParkNanos))) {
                hint.peerSharesMyCpu(); // awake again: say where, before the peer decides to spin
                return true;
            }
        }
    }

    /**
     * How a virtual thread waits (a caller waiting for request-ring space): never in native code,
     * where a futex wait would pin its carrier, and never spinning on a carrier other virtual
     * threads need. It yields to them, then parks in the JVM in slices growing from
     * {@value #VIRTUAL_FIRST_PARK_NANOS} ns to {@value #VIRTUAL_MAX_PARK_NANOS} ns, re-checking after
     * each: nobody rings a virtual thread, so this is a poll, bounded to a thousand checks a second.
     */
    private boolean awaitVirtual(BooleanSupplier ready, long timeoutNanos) {
        long start = System.nanoTime();
        for (int i = 0; i < yields; i++) {
            Thread.yield();
            if (ready.getAsBoolean()) {
                return true;
            }
        }
        long slice = VIRTUAL_FIRST_PARK_NANOS;
        while (true) {
            long left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                return ready.getAsBoolean();
            }
            LockSupport.parkNanos(this, Math.min(left, Math.min(slice, maxParkNanos)));
            if (ready.getAsBoolean()) {
                return true;
            }
            slice = Math.min(VIRTUAL_MAX_PARK_NANOS, slice * 2);
        }
    }

    private static long saturatedNanos(java.time.Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
