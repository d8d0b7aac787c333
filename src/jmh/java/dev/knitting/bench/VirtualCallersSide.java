package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * G5v: virtual-thread callers, the way Java servers are written now. {@value #CALLERS} virtual
 * threads each make {@value #CALLS_EACH} calls of a 20 us task ({@link BenchTasks#WORK_20US}) on
 * two workers; the round's wall time is the figure. Meanwhile a platform thread starts an
 * unrelated virtual thread every {@value #PROBE_INTERVAL_MICROS} us and records how long each
 * waited for a carrier (start to first instruction): a caller that blocks in native code pins its
 * carrier, and then every other virtual thread of the JVM waits. The baseline is a
 * {@code ThreadPoolExecutor(2)} submit+get from the same virtual threads.
 *
 * <p>A second G5v scenario has the shape of a server with a virtual thread per request:
 * {@value #REQUESTS} virtual threads making one call each, where whatever a pool keeps per calling
 * thread is made again for every call.
 */
final class VirtualCallersSide {
    static final int CALLERS = 2000;
    static final int CALLS_EACH = 20;
    static final int REQUESTS = 40_000;
    private static final Shape MANY_CALLS_EACH = new Shape(CALLERS, CALLS_EACH);
    private static final Shape ONE_CALL_EACH = new Shape(REQUESTS, 1);

    /** How many virtual callers a round starts and how many calls each makes. */
    record Shape(int callers, int callsEach) {
    }
    static final long PROBE_INTERVAL_MICROS = 1000;

    private VirtualCallersSide() {
    }

    static Scenario g5v(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                pool("knitting threads(2), virtual callers", WorkerRuntime.THREAD, MANY_CALLS_EACH),
                executor("TPE(2) submit+get, virtual callers", MANY_CALLS_EACH),
                pool("knitting process(2), virtual callers", WorkerRuntime.PROCESS, MANY_CALLS_EACH));
        List<Scenario.Line> lines = List.of(
                new Scenario.Line(CALLERS + " virtual callers x " + CALLS_EACH + " calls of 20 us, 2 workers,"
                        + " total time vs TPE(2)", new Metric("total", m -> m.wallNanos(), true, Units::nanos),
                        new Scenario.Goal("total time <= 1.25x TPE(2)'s", (k, r) -> r >= 0.8)),
                new Scenario.Line("an unrelated virtual thread's wait for a carrier meanwhile, worst, vs TPE(2)",
                        new Metric("worst carrier wait", m -> m.histogram().percentile(100), true, Units::nanos),
                        new Scenario.Goal("<= 2x TPE(2)'s", (k, r) -> r >= 0.5)));
        return scenario(contenders, lines, quick);
    }

    /** G5v with a virtual thread per request: {@value #REQUESTS} virtual threads making one call each. */
    static Scenario g5vPerRequest(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(
                pool("knitting threads(2), a virtual thread per call", WorkerRuntime.THREAD, ONE_CALL_EACH),
                executor("TPE(2) submit+get, a virtual thread per call", ONE_CALL_EACH),
                pool("knitting process(2), a virtual thread per call", WorkerRuntime.PROCESS, ONE_CALL_EACH));
        List<Scenario.Line> lines = List.of(new Scenario.Line(REQUESTS + " virtual threads x 1 call of 20 us,"
                + " 2 workers, total time vs TPE(2)", new Metric("total", m -> m.wallNanos(), true, Units::nanos),
                new Scenario.Goal("total time <= 1.25x TPE(2)'s", (k, r) -> r >= 0.8)));
        return scenario(contenders, lines, quick);
    }

    private static Scenario scenario(Supplier<List<Contender>> contenders, List<Scenario.Line> lines, boolean quick) {
        return quick
                ? new Scenario("G5v", contenders, lines, 1, 3, RoundSpec.paced(1, 0), RoundSpec.paced(1, 0), 120_000, 0)
                : new Scenario("G5v", contenders, lines, 1, 7, RoundSpec.paced(1, 0), RoundSpec.paced(1, 0), 300_000, 0);
    }

    /**
     * Ad-hoc runs outside {@code scripts/bench}: {@code VirtualCallersSide ROUNDS SIDE...}, each side
     * THREAD, PROCESS or TPE, rounds interleaved; prints each round's total and carrier waits.
     *
     * @param args the number of rounds, then the sides
     */
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        List<Contender> sides = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sides.add(args[i].equals("TPE") ? executor("TPE(2)", MANY_CALLS_EACH)
                    : pool(args[i], WorkerRuntime.valueOf(args[i]), MANY_CALLS_EACH));
        }
        for (Contender c : sides) {
            c.open();
        }
        for (int r = 0; r < rounds; r++) {
            for (Contender c : sides) {
                Measurement m = c.round(RoundSpec.paced(1, 0));
                System.out.printf(java.util.Locale.ROOT, "%-8s total %s carrier wait p50 %s p99 %s max %s cpu %.2f%n",
                        c.name(), Units.nanos(m.wallNanos()), Units.nanos(m.histogram().percentile(50)),
                        Units.nanos(m.histogram().percentile(99)), Units.nanos(m.histogram().percentile(100)), m.cores());
            }
        }
        for (Contender c : sides) {
            c.close();
        }
        System.exit(0);
    }

    private static Contender pool(String name, WorkerRuntime runtime, Shape shape) {
        return new Contender(name) {
            private Pool pool;

            @Override
            public void open() {
                pool = Knitting.pool().runtime(runtime).threads(2).start(BenchTasks.class);
                check(1, pool.call(BenchTasks.WORK_20US, 1).join());
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                Pool p = pool;
                return VirtualCallersSide.round(shape, v -> p.call(BenchTasks.WORK_20US, v).join());
            }

            @Override
            public void close() {
                if (pool != null) {
                    pool.close();
                }
            }

            @Override
            public void abandon() {
                if (pool != null) {
                    pool.shutdownNow();
                }
            }
        };
    }

    private static Contender executor(String name, Shape shape) {
        return new Contender(name) {
            private ExecutorService tpe;

            @Override
            public void open() throws Exception {
                tpe = new ThreadPoolExecutor(2, 2, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
                check(1, tpe.submit(() -> BenchTasks.work20us(1)).get());
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                ExecutorService e = tpe;
                return VirtualCallersSide.round(shape, v -> {
                    try {
                        return e.submit(() -> BenchTasks.work20us(v)).get();
                    } catch (Exception failed) {
                        throw new IllegalStateException(failed);
                    }
                });
            }

            @Override
            public void close() throws Exception {
                tpe.shutdown();
                tpe.awaitTermination(30, TimeUnit.SECONDS);
            }

            @Override
            public void abandon() {
                tpe.shutdownNow();
            }
        };
    }

    /** Runs the callers and the carrier probe; the histogram holds the probe's waits. */
    static Measurement round(Shape shape, IntUnaryOperator call) throws Exception {
        LatencyHistogram carrierWaits = new LatencyHistogram();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(shape.callers());
        Thread prober = Thread.ofPlatform().name("carrier-probe").start(() -> probe(done, carrierWaits));
        Measurement.Stopwatch watch = Measurement.start();
        for (int c = 0; c < shape.callers(); c++) {
            int base = c;
            Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < shape.callsEach(); i++) {
                        int v = (base + i) & 127;
                        check(v, call.applyAsInt(v));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(100, TimeUnit.SECONDS)) {
            throw new IllegalStateException(done.getCount() + " virtual callers still running after 100 s");
        }
        Measurement m = watch.stop((long) shape.callers() * shape.callsEach(), 0, carrierWaits, "");
        prober.join();
        if (failure.get() != null) {
            throw new IllegalStateException("a virtual caller failed", failure.get());
        }
        return m;
    }

    /** Starts an unrelated virtual thread every interval until the callers are done; records each one's wait. */
    private static void probe(CountDownLatch done, LatencyHistogram waits) {
        try {
            while (!done.await(PROBE_INTERVAL_MICROS, TimeUnit.MICROSECONDS)) {
                long t0 = System.nanoTime();
                long[] ran = new long[1];
                Thread v = Thread.ofVirtual().start(() -> ran[0] = System.nanoTime());
                v.join();
                waits.record(ran[0] - t0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void check(int v, int result) {
        if (result != v + 1) {
            throw new IllegalStateException("WORK_20US(" + v + ") answered " + result);
        }
    }
}
