package dev.knitting.internal.worker;

/**
 * The {@code code} field of a response message: how the host reads its payload. Any other value is
 * a protocol violation.
 */
public final class ResponseStatus {
    /** The payload is the task's result. */
    public static final int VALUE = 0;
    /** The payload is a {@code Throwable}: the task's exception or why the call failed at the worker. */
    public static final int FAILURE = 1;

    private ResponseStatus() {
    }
}
