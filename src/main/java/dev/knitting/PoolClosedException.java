package dev.knitting;

/** The pool was shut down before the call could be taken or finished. */
public class PoolClosedException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with its message.
     *
     * @param message why and when the call was refused
     */
    public PoolClosedException(String message) {
        super(message);
    }
}
