package dev.knitting.internal.os;

import dev.knitting.KnittingException;

/** Shared memory that exists but is not what its descriptor promised (size or header differ). */
public final class SharedMemoryMismatchException extends KnittingException {
    private static final long serialVersionUID = 1L;

    public SharedMemoryMismatchException(String message) {
        super(message);
    }
}
