package dev.knitting.internal.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

/** Temporary portable waiter: parks in 1 ms slices. Replaced by a registry-based waiter. */
final class PollingWaiter implements Waiter {
    @Override
    public void await(MemorySegment word, int expected, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (word.get(ValueLayout.JAVA_INT, 0) == expected) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(left, 1_000_000L));
        }
    }

    @Override
    public void wake(MemorySegment word, int count) {
    }

    @Override
    public boolean crossProcess() {
        return false;
    }
}
