package dev.knitting.internal.lane;

import java.lang.foreign.MemorySegment;

/** Receives complete messages from {@link MessageReceiver#poll}. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles one complete message. {@code payload} is valid only during this call (ring memory or
     * the receiver's reassembly buffer): copy what must outlive it.
     *
     * @param type {@link MessageDescriptor#REQUEST} or {@link MessageDescriptor#RESPONSE}
     * @param callId the call id
     * @param code task id (requests) or status (responses)
     * @param abortSlot abort slot or {@link MessageDescriptor#NO_ABORT_SLOT}
     * @param payload the payload bytes, exactly the total payload length
     */
    void onMessage(int type, long callId, int code, int abortSlot, MemorySegment payload);
}
