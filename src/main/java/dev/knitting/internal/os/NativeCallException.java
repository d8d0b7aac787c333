package dev.knitting.internal.os;

import dev.knitting.KnittingException;

/**
 * A native call failed with an errno. The message names the call, its arguments and the errno
 * text; {@link #errno()} lets callers react to one value (for example {@code EEXIST}).
 */
public final class NativeCallException extends KnittingException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    NativeCallException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** @return the call with its arguments, as in the message */
    public String call() {
        return call;
    }

    /** @return the errno the call left */
    public int errno() {
        return errno;
    }
}
