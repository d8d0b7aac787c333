package dev.knitting;

/**
 * A task threw an exception whose type is not a standard JDK type, so it could not be rebuilt as
 * itself. It carries the remote class name, the message, the remote stack trace, and the cause and
 * suppressed chain (rebuilt the same way).
 */
public class RemoteTaskException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /** The binary name of the exception class the task threw. */
    private final String remoteClassName;

    /**
     * Creates the exception from what the worker sent.
     *
     * @param remoteClassName the binary name of the exception class thrown by the task
     * @param remoteMessage the original message, possibly {@code null}
     */
    public RemoteTaskException(String remoteClassName, String remoteMessage) {
        super(remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage));
        this.remoteClassName = remoteClassName;
    }

    /** {@return the binary name of the exception class the task threw} */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** {@return the original message without the class name prefix, or {@code null}} */
    public String remoteMessage() {
        String m = getMessage();
        int prefix = remoteClassName.length();
        return m.length() == prefix ? null : m.substring(prefix + 2);
    }
}
