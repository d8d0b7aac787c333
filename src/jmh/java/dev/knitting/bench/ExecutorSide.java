package dev.knitting.bench;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A JDK executor as the baseline ({@code ThreadPoolExecutor(1)}, {@code ForkJoinPool(1)}):
 * {@code submit(() -> inc(v)).get()}, with the same loops, checks and timing as
 * {@link KnittingSide}.
 */
public final class ExecutorSide implements Side {
    private final Supplier<ExecutorService> factory;
    private ExecutorService executor;

    /** @param factory creates the executor at open */
    public ExecutorSide(Supplier<ExecutorService> factory) {
        this.factory = factory;
    }

    /** Creates the executor and runs one task. */
    @Override
    public void open() throws Exception {
        executor = factory.get();
        executor.submit(() -> BenchTasks.inc(1)).get();
    }

    /** Back-to-back tiny calls, each timed. */
    public Measurement hot(RoundSpec spec) throws Exception {
        ExecutorService e = executor;
        return TinyCallLoops.hot(spec, v -> e.submit(() -> BenchTasks.inc(v)).get(), "");
    }

    /** Tiny calls on a fixed schedule; latency measured from each call's intended start. */
    public Measurement paced(RoundSpec spec) throws Exception {
        ExecutorService e = executor;
        return TinyCallLoops.paced(spec, v -> e.submit(() -> BenchTasks.inc(v)).get());
    }

    /** Windows of {@code spec.window()} tasks in flight: submit all, then get all. */
    public Measurement batched(RoundSpec spec) throws Exception {
        ExecutorService e = executor;
        @SuppressWarnings("unchecked")
        Future<Integer>[] calls = new Future[spec.window()];
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        do {
            for (int i = 0; i < calls.length; i++) {
                Integer v = i & 127;
                calls[i] = e.submit(() -> BenchTasks.inc(v));
            }
            for (int i = 0; i < calls.length; i++) {
                Integer r = calls[i].get();
                if (r != (i & 127) + 1) {
                    throw new IllegalStateException("inc(" + (i & 127) + ") returned " + r);
                }
            }
            ops += calls.length;
        } while (System.nanoTime() < deadline || ops < spec.calls());
        Arrays.fill(calls, null);
        return watch.stop(ops, 0, null, "window=" + spec.window());
    }

    /** Shuts the executor down and waits for it. */
    @Override
    public void close() throws InterruptedException {
        if (executor != null) {
            executor.shutdown();
            if (!executor.awaitTermination(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("executor did not terminate");
            }
            executor = null;
        }
    }

    /** Interrupts the executor's threads. */
    @Override
    public void abandon() {
        ExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }
}
