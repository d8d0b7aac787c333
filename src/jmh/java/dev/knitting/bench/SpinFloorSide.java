package dev.knitting.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor of a hot thread-to-thread round trip: two threads ping-ponging a counter through two
 * {@link AtomicLong}s with release stores and busy-spinning reads, no queue, no allocation, no
 * wake-up. Informational: no pool can beat it. The responder spins only during a round and parks
 * in between, so it costs nothing while the other contenders run.
 */
public final class SpinFloorSide implements Side {
    private final AtomicLong request = new AtomicLong();
    private final AtomicLong response = new AtomicLong();
    private volatile boolean active;
    private volatile boolean closed;
    private Thread responder;

    /** Starts the responder thread (parked until a round). */
    @Override
    public void open() {
        responder = Thread.ofPlatform().daemon().name("bench-spin-responder").start(this::respond);
    }

    private void respond() {
        long seen = 0;
        while (!closed) {
            if (!active) {
                LockSupport.park(this);
                continue;
            }
            long r = request.getAcquire();
            if (r != seen) {
                seen = r;
                response.setRelease(r);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** Back-to-back ping-pongs, each timed. */
    public Measurement hot(RoundSpec spec) {
        active = true;
        LockSupport.unpark(responder);
        try {
            LatencyHistogram h = new LatencyHistogram();
            Measurement.Stopwatch watch = Measurement.start();
            long deadline = watch.startNanos() + spec.durationNanos();
            long ops = 0;
            long next = request.get();
            long now;
            do {
                next++;
                long t0 = System.nanoTime();
                request.setRelease(next);
                while (response.getAcquire() != next) {
                    Thread.onSpinWait();
                }
                now = System.nanoTime();
                h.record(now - t0);
                ops++;
            } while (now < deadline);
            return watch.stop(ops, 0, h, "");
        } finally {
            active = false;
        }
    }

    /** Stops the responder. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(responder);
        responder.join(5_000);
    }
}
