package dev.knitting.bench;

/**
 * Place for the ring micro-costs, to be written against {@code dev.knitting.internal.lane} once
 * that package lands (nothing here may call APIs that do not exist yet). Intended methods, each
 * with its baseline beside it:
 * <ul>
 *   <li>{@code ring_write_read_8b} / {@code ring_write_read_1k}: claim, write, publish, then read
 *       and release one record on one thread (no wake-ups), against {@code MemorySegment.copy} of
 *       the same bytes and against {@code ArrayBlockingQueue.offer/poll};</li>
 *   <li>{@code ring_mpsc_claim} under {@code @Threads(2)}: the contended claim of the request ring;</li>
 *   <li>{@code doorbell_ring_no_waiter}: the waker's cost when the waiter flag says nobody sleeps
 *       (should be a load, not the ~170 ns futex syscall), against {@code doorbell_futex_wake};</li>
 *   <li>{@code spin_round_trip} ({@code @Group} of two threads): ping-pong through two rings, against
 *       a ping-pong over two {@code AtomicLong}s (the ~100 ns floor of DESIGN.md).</li>
 * </ul>
 * Conventions as in {@link PoolBenchmark}: {@code @Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")},
 * arenas and rings set up per trial ({@code Arena.ofShared()} per call costs ~17 µs and deoptimises).
 */
final class RingBenchmark {
    private RingBenchmark() {
    }
}
