package dev.knitting.internal.lane;

import dev.knitting.KnittingException;

/**
 * The sender stopped waiting for ring space before any record of its message was written (its
 * call ended, or its thread was interrupted): the ring holds nothing of the message.
 */
public final class SendAbandonedException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /** A sender that stopped waiting. */
    public SendAbandonedException() {
        super("the sender stopped waiting for ring space");
    }
}
