package dev.knitting.internal.os;

import java.lang.foreign.MemorySegment;

/**
 * Sleeping on and waking a 32-bit word in memory: the futex pattern. Implementations must work on
 * any native segment; {@link #crossProcess()} says whether a waker in another process sharing the
 * mapping reaches a sleeper here. Production code gets its implementation from {@link #platform()}
 * (Linux futex or the in-process fallback); the interface stays open so tests can decorate it.
 * Spurious returns are allowed: callers always re-check their condition.
 */
public interface Waiter {

    /**
     * Sleeps while the 4-byte int at the start of {@code word} equals {@code expected}, for at most
     * {@code timeoutNanos}. Returns at once when the value differs.
     *
     * @param word a native segment of at least 4 bytes, 4-byte aligned
     * @param expected the value seen just before deciding to sleep
     * @param timeoutNanos the longest sleep, positive
     */
    void await(MemorySegment word, int expected, long timeoutNanos);

    /**
     * Wakes up to {@code count} sleepers on {@code word}.
     *
     * @param word the same word sleepers wait on
     * @param count how many to wake, {@code Integer.MAX_VALUE} for all
     */
    void wake(MemorySegment word, int count);

    /** @return whether a wake from another process sharing the memory reaches sleepers here */
    boolean crossProcess();

    /** @return the best waiter of this platform, chosen once */
    static Waiter platform() {
        return Platforms.waiter();
    }

    /**
     * The waiter of lanes whose both sides live in this JVM (thread workers): it parks with
     * {@code LockSupport}, so choosing it links no native call, and a THREAD pool's start loads
     * nothing of the FFM linker.
     *
     * @return the one in-process waiter of this JVM
     */
    static Waiter inProcess() {
        return InProcessWaiter.SHARED;
    }
}
