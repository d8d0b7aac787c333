package dev.knitting.internal.lane;

import java.lang.foreign.MemorySegment;

/** Receives complete records from {@link MpscRing#read}. */
@FunctionalInterface
public interface RecordHandler {
    /**
     * Handles one record. The body is valid only during this call: copy what must outlive it.
     *
     * @param type the record type, {@code >= 1}
     * @param region the ring region
     * @param bodyOffset where the body starts in {@code region}
     * @param bodyLength body bytes, {@code >= 0}
     */
    void onRecord(int type, MemorySegment region, long bodyOffset, int bodyLength);
}
