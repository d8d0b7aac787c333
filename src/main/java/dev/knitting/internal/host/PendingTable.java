package dev.knitting.internal.host;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The calls pending on one lane, by call id. Call ids of a lane are consecutive, so a call lives in
 * slot {@code id mod SLOTS} of a lock-free array (one CAS to add, one to remove, no allocation);
 * only when that slot still holds an older call (more than {@value #SLOTS} calls apart, e.g. a very
 * long task) does the call go to an overflow map. Thread-safe.
 */
final class PendingTable {
    private static final int SLOTS = 4096;
    private static final int MASK = SLOTS - 1;

    private final AtomicReferenceArray<PendingCall> slots = new AtomicReferenceArray<>(SLOTS);
    private final ConcurrentHashMap<Long, PendingCall> overflow = new ConcurrentHashMap<>();

    void put(long id, PendingCall call) {
        if (!slots.compareAndSet((int) id & MASK, null, call)) {
            overflow.put(id, call);
        }
    }

    /** @return the call with this id, removed, or {@code null} if none is pending */
    PendingCall remove(long id) {
        int slot = (int) id & MASK;
        PendingCall call = slots.get(slot);
        if (call != null && call.callId() == id) {
            return slots.compareAndSet(slot, call, null) ? call : null;
        }
        return overflow.isEmpty() ? null : overflow.remove(id);
    }

    boolean contains(long id) {
        PendingCall call = slots.get((int) id & MASK);
        return call != null && call.callId() == id || !overflow.isEmpty() && overflow.containsKey(id);
    }

    /** @return the calls pending now (a snapshot; remove each before acting on it) */
    List<PendingCall> snapshot() {
        List<PendingCall> calls = new ArrayList<>(overflow.values());
        for (int i = 0; i < SLOTS; i++) {
            PendingCall call = slots.get(i);
            if (call != null) {
                calls.add(call);
            }
        }
        return calls;
    }
}
