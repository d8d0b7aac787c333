package dev.knitting.testtasks;

/**
 * A record whose constructor throws {@link StackOverflowError} once the test {@linkplain #arm() arms}
 * it in this JVM, as a constructor that recursed too deep would: the host's decoder then fails with
 * a {@link VirtualMachineError} while building an answer, which no decoder wraps. {@link #PREBUILT} exists before
 * arming, so a thread worker in the same JVM can still return it; a process worker's JVM is never
 * armed.
 *
 * @param value any value
 */
public record HostTrap(int value) {
    /** Built when the class initializes, before any test arms it. */
    public static final HostTrap PREBUILT = new HostTrap(7);
    private static volatile boolean armed;

    /**
     * Throws {@link StackOverflowError} when armed.
     *
     * @param value any value
     */
    public HostTrap {
        if (armed) {
            throw new StackOverflowError("HostTrap(" + value + ") built in an armed JVM");
        }
    }

    /** From now on, building a HostTrap in this JVM throws {@link StackOverflowError}. */
    public static void arm() {
        armed = true;
    }

    /** Building a HostTrap works again. */
    public static void disarm() {
        armed = false;
    }
}
