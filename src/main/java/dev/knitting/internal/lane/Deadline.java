package dev.knitting.internal.lane;

/**
 * A point in {@link System#nanoTime()} by which a wait must end, as a plain {@code long}; {@link
 * #NONE} never passes. Compared by difference, so a deadline stays right across the clock's
 * wrap-around.
 */
public final class Deadline {
    /** No deadline: {@link #passed} is never true and {@link #remaining} is {@link Long#MAX_VALUE}. */
    public static final long NONE = Long.MAX_VALUE;

    private Deadline() {
    }

    /** @return the deadline {@code nanos} from now; {@link #NONE} for {@code Long.MAX_VALUE} (or more than ~146 years) */
    public static long after(long nanos) {
        if (nanos >= Long.MAX_VALUE / 2) {
            return NONE;
        }
        long deadline = System.nanoTime() + Math.max(0, nanos);
        return deadline == NONE ? NONE - 1 : deadline;
    }

    /** @return whether {@code deadline} has passed */
    public static boolean passed(long deadline) {
        return deadline != NONE && System.nanoTime() - deadline >= 0;
    }

    /** @return the nanoseconds left until {@code deadline}, at least 0; {@link Long#MAX_VALUE} for {@link #NONE} */
    public static long remaining(long deadline) {
        return deadline == NONE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
    }
}
