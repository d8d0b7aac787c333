package dev.knitting.bench;

/**
 * The two measuring loops every tiny-call side shares: back to back ({@link #hot}) and on a fixed
 * schedule ({@link #paced}). A side supplies only the call itself; every side is measured by the
 * same loop, so their figures differ only by what the call costs.
 */
final class TinyCallLoops {
    private TinyCallLoops() {
    }

    /** One tiny call: {@code v -> v + 1} through whatever the side measures. */
    @FunctionalInterface
    interface TinyCall {
        int call(int v) throws Exception;
    }

    /**
     * Spacing of the parked priming calls: four times the default idle spin (50 us), so the callee
     * has gone to sleep before each of them.
     */
    static final long PRIME_PARKED_INTERVAL_NANOS = 200_000;

    /** The unmeasured warm-up {@link RoundSpec#primed} asks for, before a paced round. */
    private static void prime(RoundSpec spec, TinyCall call) throws Exception {
        for (int i = 0; i < spec.primeHotCalls(); i++) {
            check(i & 127, call.call(i & 127));
        }
        long next = System.nanoTime();
        for (int i = 0; i < spec.primeParkedCalls(); i++) {
            next += PRIME_PARKED_INTERVAL_NANOS;
            Pacer.awaitStart(next);
            check(i & 127, call.call(i & 127));
        }
    }

    /** Calls back to back for the round's duration; latency per call. */
    static Measurement hot(RoundSpec spec, TinyCall call, String note) throws Exception {
        LatencyHistogram h = new LatencyHistogram();
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        int v = 0;
        long now;
        do {
            long t0 = System.nanoTime();
            int r = call.call(v);
            now = System.nanoTime();
            check(v, r);
            h.record(now - t0);
            v = (v + 1) & 127;
            ops++;
        } while (now < deadline);
        return watch.stop(ops, 0, h, note);
    }

    /** One timed operation of {@link #backToBack}. */
    @FunctionalInterface
    interface Operation {
        void run() throws Exception;
    }

    /** Operations back to back, each timed; {@code payloadBytes} per operation for byte rates. */
    static Measurement backToBack(RoundSpec spec, Operation operation, long payloadBytes, String note) throws Exception {
        LatencyHistogram h = new LatencyHistogram();
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        long now;
        do {
            long t0 = System.nanoTime();
            operation.run();
            now = System.nanoTime();
            h.record(now - t0);
            ops++;
        } while (now < deadline);
        return watch.stop(ops, payloadBytes, h, note);
    }

    /** Calls on a fixed schedule; latency measured from each call's intended start (no coordinated omission). */
    static Measurement paced(RoundSpec spec, TinyCall call) throws Exception {
        prime(spec, call);
        LatencyHistogram h = new LatencyHistogram();
        Measurement.Stopwatch watch = Measurement.start();
        long first = watch.startNanos() + spec.intervalNanos();
        int late = 0;
        for (int i = 0; i < spec.calls(); i++) {
            long intended = first + i * spec.intervalNanos();
            Pacer.awaitStart(intended);
            if (System.nanoTime() - intended > spec.intervalNanos() / 10) {
                late++;
            }
            int v = i & 127;
            int r = call.call(v);
            long end = System.nanoTime();
            check(v, r);
            h.record(end - intended);
        }
        return watch.stop(spec.calls(), 0, h, "late starts=" + late);
    }

    private static void check(int v, int r) {
        if (r != v + 1) {
            throw new IllegalStateException("tiny call answered " + r + " to " + v);
        }
    }
}
