package dev.knitting;

/**
 * Every abort slot of the chosen lane is held by a running abort-aware call
 * ({@code abortSignalCapacity}); the call was not dispatched.
 */
public class AbortCapacityException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with its message.
     *
     * @param message the capacity that was exhausted
     */
    public AbortCapacityException(String message) {
        super(message);
    }
}
