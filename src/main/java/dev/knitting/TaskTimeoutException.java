package dev.knitting;

/** A call did not finish within its task's timeout or the pool's hard timeout. */
public class TaskTimeoutException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with its message.
     *
     * @param message the task and the limit that was exceeded
     */
    public TaskTimeoutException(String message) {
        super(message);
    }
}
