package dev.knitting;

/**
 * The one unchecked root of every error Knitting raises itself. A task's own exception is not
 * wrapped: it completes the call as it is (JDK types rebuilt as themselves, others as
 * {@link RemoteTaskException}).
 */
public class KnittingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with its message.
     *
     * @param message what went wrong, with the values involved
     */
    public KnittingException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its message and cause.
     *
     * @param message what went wrong, with the values involved
     * @param cause the underlying failure
     */
    public KnittingException(String message, Throwable cause) {
        super(message, cause);
    }
}
