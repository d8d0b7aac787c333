package dev.knitting;

/**
 * Shared memory holds bytes that break the lane protocol: a bad magic or version, a length past
 * the end of a region, an unknown tag. Raised instead of reading out of bounds; a corrupt peer
 * fails its own calls, never the host.
 */
public class ProtocolException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with its message.
     *
     * @param message the region, the offset and the value that was rejected
     */
    public ProtocolException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its message and cause.
     *
     * @param message the region, the offset and the value that was rejected
     * @param cause the underlying failure
     */
    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
