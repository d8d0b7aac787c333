package dev.knitting;

/**
 * A value cannot travel as a payload: its type is not supported or not allowed, it is cyclic or
 * nested too deeply, or it is larger than {@code maxPayloadBytes}. The message names the type
 * and the reason (and limit and actual size for oversized payloads). It fails that call only;
 * the lane and the worker stay healthy.
 */
public class PayloadException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with its message.
     *
     * @param message the type and the reason
     */
    public PayloadException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its message and cause.
     *
     * @param message the type and the reason
     * @param cause the underlying failure
     */
    public PayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
