package dev.knitting.internal.host;

import java.lang.foreign.MemorySegment;

/**
 * What a lane hands back to the pool that owns its calls; a lane calls nothing else above it. Each
 * call reaches one of the first three methods once per take-back, from the thread that took it
 * back (see {@code HostLane#takeBack}).
 */
interface CallOwner {
    /** The worker answered the call: decode, complete, end. */
    void answer(PendingCall call, int status, MemorySegment payload);

    /** End the call with this failure. */
    void fail(PendingCall call, Throwable failure);

    /** Send the call again from its argument: its worker died before taking it (once per call). */
    void resend(PendingCall call);

    /** The lane is replacing its worker; {@code resent} calls it had not taken go to the replacement. */
    void workerReplaced(int lane, Throwable reason, int resent);
}
