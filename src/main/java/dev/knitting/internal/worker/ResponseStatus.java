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
    /**
     * Answer to a {@code BATCH_REQUEST} whose element failed: the payload is a two-element list, the
     * element's index in the chunk ({@code Integer}) and its {@code Throwable}. A chunk's
     * {@link #VALUE} is the list of its results, one per element, in order.
     */
    public static final int ELEMENT_FAILURE = 2;

    private ResponseStatus() {
    }
}
