package dev.knitting.bench;

import dev.knitting.IdlePolicy;
import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Round trip of a tiny call (Integer -> Integer) through a one-worker knitting pool (a thread worker,
 * and a process worker), beside what a
 * Java user would pick instead: {@code ThreadPoolExecutor(1)}, {@code ForkJoinPool(1)} and
 * {@code CompletableFuture.supplyAsync} (which, with common-pool parallelism below 2 as on a
 * 2-vCPU machine, starts a thread per task). Pools and executors are set up per trial; only the
 * pool's state carries the {@code idle} parameter, so the baselines run once.
 *
 * <p>Run: {@code scripts/bench --jmh PoolBenchmark} (add {@code -bm sample} for percentiles,
 * {@code -p idle=BALANCED} for one variant). Absolute times drift on shared VMs: compare methods of
 * one run, not runs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PoolBenchmark {

    /** A knitting pool with one thread worker. */
    @State(Scope.Benchmark)
    public static class PoolState {
        /** The pool's {@link IdlePolicy}: BALANCED (default), LOW_LATENCY or LOW_CPU. */
        @Param({"BALANCED", "LOW_LATENCY", "LOW_CPU"})
        public String idle;

        Pool pool;

        /** Starts the pool. */
        @Setup(Level.Trial)
        public void start() {
            IdlePolicy policy = switch (idle) {
                case "BALANCED" -> IdlePolicy.BALANCED;
                case "LOW_LATENCY" -> IdlePolicy.LOW_LATENCY;
                case "LOW_CPU" -> IdlePolicy.LOW_CPU;
                default -> throw new IllegalArgumentException("idle=" + idle);
            };
            pool = Knitting.pool().threads(1).idle(policy).start(BenchTasks.class);
        }

        /** Stops the pool. */
        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    /** A knitting pool with one process worker (a child JVM), default idle policy. */
    @State(Scope.Benchmark)
    public static class ProcessPoolState {
        Pool pool;

        /** Starts the pool and its worker JVM. */
        @Setup(Level.Trial)
        public void start() {
            pool = Knitting.pool().threads(1).runtime(WorkerRuntime.PROCESS).start(BenchTasks.class);
        }

        /** Stops the pool. */
        @TearDown(Level.Trial)
        public void stop() {
            pool.close();
        }
    }

    /** {@code ThreadPoolExecutor(1)}. */
    @State(Scope.Benchmark)
    public static class TpeState {
        ExecutorService executor;

        /** Creates the executor. */
        @Setup(Level.Trial)
        public void start() {
            executor = Scenarios.tpe1();
        }

        /** Stops the executor. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** {@code ForkJoinPool(1)}. */
    @State(Scope.Benchmark)
    public static class ForkJoinState {
        ForkJoinPool executor;

        /** Creates the pool. */
        @Setup(Level.Trial)
        public void start() {
            executor = new ForkJoinPool(1);
        }

        /** Stops the pool. */
        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The argument, cycling through the cached Integer range like the suite does. */
    @State(Scope.Thread)
    public static class Arg {
        int v;

        Integer next() {
            v = (v + 1) & 127;
            return v;
        }
    }

    /** The subject: one tiny call through the pool, waited for with {@code join}. */
    @Benchmark
    public Integer pool_thread_call(PoolState s, Arg a) {
        return s.pool.call(BenchTasks.INC, a.next()).join();
    }

    /** The subject on a process worker: one tiny call to a child JVM and back. */
    @Benchmark
    public Integer pool_process_call(ProcessPoolState s, Arg a) {
        return s.pool.call(BenchTasks.INC, a.next()).join();
    }

    /** Baseline: {@code ThreadPoolExecutor(1).submit(...).get()}. */
    @Benchmark
    public Integer tpe_submit(TpeState s, Arg a) throws InterruptedException, ExecutionException {
        Integer v = a.next();
        return s.executor.submit(() -> BenchTasks.inc(v)).get();
    }

    /** Baseline: {@code ForkJoinPool(1).submit(...).get()}. */
    @Benchmark
    public Integer fork_join_submit(ForkJoinState s, Arg a) throws InterruptedException, ExecutionException {
        Integer v = a.next();
        return s.executor.submit(() -> BenchTasks.inc(v)).get();
    }

    /** Baseline: {@code CompletableFuture.supplyAsync(...).join()} on its default executor. */
    @Benchmark
    public Integer completable_future_supply_async(Arg a) {
        Integer v = a.next();
        return CompletableFuture.supplyAsync(() -> BenchTasks.inc(v)).join();
    }
}
