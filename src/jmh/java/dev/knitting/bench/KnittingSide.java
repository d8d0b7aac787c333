package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.PoolBuilder;
import dev.knitting.TaskCall;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The knitting side of every scenario: one pool, started from a builder configuration, driven by
 * the same loops as the baselines (see {@link ExecutorSide}). Each loop lives in its own method so
 * its JIT profile sees only knitting types.
 */
public final class KnittingSide implements Side {
    private final UnaryOperator<PoolBuilder> configure;
    private Pool pool;

    /** @param configure applied to {@code Knitting.pool()} before {@code start(BenchTasks.class)} */
    public KnittingSide(UnaryOperator<PoolBuilder> configure) {
        this.configure = configure;
    }

    /** Starts the pool and checks one call of each task. */
    @Override
    public void open() {
        pool = configure.apply(Knitting.pool()).start(BenchTasks.class);
        Integer two = pool.call(BenchTasks.INC, 1).join();
        if (two == null || two != 2) {
            throw new IllegalStateException("INC(1) returned " + two);
        }
    }

    /** Back-to-back tiny calls, each timed. */
    public Measurement hot(RoundSpec spec) throws Exception {
        Pool p = pool;
        return TinyCallLoops.hot(spec, v -> p.call(BenchTasks.INC, v).join(), "");
    }

    /** Tiny calls on a fixed schedule; latency measured from each call's intended start. */
    public Measurement paced(RoundSpec spec) throws Exception {
        Pool p = pool;
        return TinyCallLoops.paced(spec, v -> p.call(BenchTasks.INC, v).join());
    }

    /** Windows of {@code spec.window()} calls in flight: submit all, then join all. */
    public Measurement batched(RoundSpec spec) {
        Pool p = pool;
        @SuppressWarnings("unchecked")
        TaskCall<Integer>[] calls = new TaskCall[spec.window()];
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        do {
            for (int i = 0; i < calls.length; i++) {
                calls[i] = p.call(BenchTasks.INC, i & 127);
            }
            for (int i = 0; i < calls.length; i++) {
                Integer r = calls[i].join();
                if (r != (i & 127) + 1) {
                    throw new IllegalStateException("INC(" + (i & 127) + ") returned " + r);
                }
            }
            ops += calls.length;
        } while (System.nanoTime() < deadline || ops < spec.calls());
        Arrays.fill(calls, null);
        return watch.stop(ops, 0, null, "window=" + spec.window());
    }

    /**
     * Windows of {@code spec.window()} task runs as one {@code callAll}: the batch path (G5b), same
     * task, arguments and checks as {@link #batched}.
     */
    public Measurement batchedCallAll(RoundSpec spec) {
        Pool p = pool;
        Integer[] values = new Integer[spec.window()];
        for (int i = 0; i < values.length; i++) {
            values[i] = i & 127;
        }
        List<Integer> arguments = Arrays.asList(values);
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        do {
            List<Integer> results = p.callAll(BenchTasks.INC, arguments).join();
            for (int i = 0; i < values.length; i++) {
                Integer r = results.get(i);
                if (r != (i & 127) + 1) {
                    throw new IllegalStateException("INC(" + (i & 127) + ") returned " + r);
                }
            }
            ops += values.length;
        } while (System.nanoTime() < deadline || ops < spec.calls());
        return watch.stop(ops, 0, null, "callAll window=" + spec.window());
    }

    /** Back-to-back echo of one byte[] of {@code spec.payloadBytes()}. */
    public Measurement echo(RoundSpec spec, byte[] payload) {
        Pool p = pool;
        LatencyHistogram h = new LatencyHistogram();
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        long now;
        int last = payload.length - 1;
        do {
            long t0 = System.nanoTime();
            byte[] r = p.call(BenchTasks.ECHO, payload).join();
            now = System.nanoTime();
            if (r.length != payload.length || r[0] != payload[0] || r[last] != payload[last]) {
                throw new IllegalStateException("ECHO returned " + r.length + " bytes, sent " + payload.length);
            }
            h.record(now - t0);
            ops++;
        } while (now < deadline);
        return watch.stop(ops, payload.length, h, Machine.rss());
    }

    /**
     * Echoes of one byte[] of {@code spec.payloadBytes()} in windows of {@code spec.window()} calls in
     * flight: submit all, then join all.
     */
    public Measurement echoInFlight(RoundSpec spec, byte[] payload) {
        Pool p = pool;
        @SuppressWarnings("unchecked")
        TaskCall<byte[]>[] calls = new TaskCall[spec.window()];
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        int last = payload.length - 1;
        do {
            for (int i = 0; i < calls.length; i++) {
                calls[i] = p.call(BenchTasks.ECHO, payload);
            }
            for (TaskCall<byte[]> call : calls) {
                byte[] r = call.join();
                if (r.length != payload.length || r[0] != payload[0] || r[last] != payload[last]) {
                    throw new IllegalStateException("ECHO returned " + r.length + " bytes, sent " + payload.length);
                }
            }
            ops += calls.length;
        } while (System.nanoTime() < deadline);
        Arrays.fill(calls, null);
        return watch.stop(ops, payload.length, null, "window=" + spec.window() + " " + Machine.rss());
    }

    /** Checks that an echo of this payload returns the same bytes (outside any timing). */
    public void verifyEcho(byte[] payload) {
        byte[] r = pool.call(BenchTasks.ECHO, payload).join();
        if (!Arrays.equals(r, payload)) {
            throw new IllegalStateException("ECHO of " + payload.length + " bytes came back different");
        }
    }

    /** Waits for the pool to stop. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
            pool = null;
        }
    }

    /** Fails pending calls and stops workers without waiting. */
    @Override
    public void abandon() {
        Pool p = pool;
        if (p != null) {
            p.shutdownNow().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
