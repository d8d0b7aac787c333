package dev.knitting.bench;

import dev.knitting.internal.os.Waiter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The page the futex floor baseline ({@link FutexEchoSide} and {@link EchoChildMain} {@code futex})
 * shares: the bare wake-up protocol, with no ring, codec or pool around it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 request sequence (parent writes)              |  0
 * |                 request count                                 |  4
 * +---------------------------------------------------------------+
 * |                 response sequence (child writes)              |  128
 * +---------------------------------------------------------------+
 * |                 ints: requests, overwritten by answers        |  256
 * |                 ... MAX_BATCH ints                            |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * The parent writes the ints and the count, then the next request sequence (release) and wakes the
 * child's futex word; the child answers every int with {@link BenchTasks#inc}, stores the same
 * sequence as the response (release) and wakes the parent. Sequence {@link #STOP} ends the child.
 */
final class FutexEchoLayout {
    static final long REQUEST_SEQUENCE = 0;
    static final long REQUEST_COUNT = 4;
    static final long RESPONSE_SEQUENCE = 128;
    static final long DATA = 256;
    static final int MAX_BATCH = 4096;
    static final long BYTES = DATA + (long) MAX_BATCH * Integer.BYTES;
    static final int STOP = -1;
    /** Longest single futex sleep; waiters re-check their deadline and the peer in between. */
    static final long SLICE_NANOS = 100_000_000L;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

    private FutexEchoLayout() {
    }

    static int sequence(MemorySegment page, long offset) {
        return (int) INT.getAcquire(page, offset);
    }

    static void publish(MemorySegment page, long offset, int sequence, Waiter waiter) {
        INT.setRelease(page, offset, sequence);
        VarHandle.fullFence();
        waiter.wake(page.asSlice(offset, Integer.BYTES), 1);
    }

    /** Sleeps on the word at {@code offset} while it holds {@code seen}, one slice at most. */
    static void awaitChange(MemorySegment page, long offset, int seen, Waiter waiter) {
        if (sequence(page, offset) == seen) {
            waiter.await(page.asSlice(offset, Integer.BYTES), seen, SLICE_NANOS);
        }
    }
}
