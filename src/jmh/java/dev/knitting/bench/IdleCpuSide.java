package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * G9: CPU used by an idle pool. Each round starts its pools afresh, makes every worker answer, lets
 * them settle, then measures the CPU time of this whole JVM (all threads: the pools' threads, the
 * bench's own, JIT, GC) plus every descendant process (the worker JVMs) over an idle window, and
 * stops the pools. Nothing else of the suite is open meanwhile, so the baseline round (an idle
 * {@code ThreadPoolExecutor(2)}, measured the same way) shows what this JVM costs at rest.
 *
 * <p>CPU time of this JVM and of each descendant is the sum of its threads'
 * {@code /proc/<pid>/task/<tid>/schedstat} run times (ns; threads that exit inside the window are
 * missed, which an idle pool should not have), falling back to {@code utime + stime} of
 * {@code /proc/<pid>/stat} (10 ms ticks) for a descendant whose threads cannot be read. The
 * process CPU clock of {@link CpuClock} ticks at 10 ms on this machine kind (0.33% of a core over
 * 3 s), too coarse here; it is shown beside in the raw output. Figures are % of one core; the figure is floored at
 * {@link #FLOOR_PERCENT} so that the ratio (baseline / knitting) stays finite.
 */
public final class IdleCpuSide {
    /** Figures below this (% of one core) count as this, for the ratio. */
    static final double FLOOR_PERCENT = 0.05;
    private static final double CLOCK_TICK_NANOS = 10_000_000;

    private final boolean knitting;
    private final long settleMillis;

    private IdleCpuSide(boolean knitting, long settleMillis) {
        this.knitting = knitting;
        this.settleMillis = settleMillis;
    }

    static Scenario g9(boolean quick) {
        long settle = quick ? 750 : 2_000;
        Supplier<List<Contender>> contenders = () -> List.of(
                contender("knitting 2 thread + 2 process workers (two pools)", new IdleCpuSide(true, settle)),
                contender("ThreadPoolExecutor(2), idle", new IdleCpuSide(false, settle)));
        Metric cpu = new Metric("cpu", m -> Math.max(FLOOR_PERCENT, percentOfCore(m)), true,
                v -> v <= FLOOR_PERCENT ? "<=" + FLOOR_PERCENT + "%" : String.format(Locale.ROOT, "%.2f%%", v));
        String window = quick ? "3 s" : "10 s";
        List<Scenario.Line> lines = List.of(new Scenario.Line("idle pool 2 thread + 2 process workers " + window
                + " total CPU (host + worker JVMs, % of one core) vs idle TPE(2)", cpu,
                new Scenario.Goal("<= 0.5% of one core in total", (k, r) -> k <= 0.5)));
        return quick
                ? new Scenario("G9", contenders, lines, 0, 1, RoundSpec.timed(3_000), RoundSpec.timed(3_000), 60_000, 0)
                : new Scenario("G9", contenders, lines, 0, 3, RoundSpec.timed(10_000), RoundSpec.timed(10_000),
                        90_000, 0);
    }

    private static double percentOfCore(Measurement m) {
        return m.cpuNanos() < 0 || m.wallNanos() <= 0 ? Double.NaN : 100.0 * m.cpuNanos() / m.wallNanos();
    }

    private static Contender contender(String name, IdleCpuSide side) {
        return new Contender(name) {
            @Override
            public void open() {
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                return side.round(spec);
            }

            @Override
            public void close() {
            }

            @Override
            public void abandon() {
                side.abandon();
            }
        };
    }

    private volatile Pool threadPool;
    private volatile Pool processPool;
    private volatile ExecutorService executor;

    /** Starts the pools (or the executor), settles, measures the idle window, stops them. */
    Measurement round(RoundSpec spec) throws Exception {
        try {
            if (knitting) {
                threadPool = Knitting.pool().threads(2).start(BenchTasks.class);
                processPool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2).start(BenchTasks.class);
                for (int i = 0; i < 8; i++) {
                    check(threadPool.call(BenchTasks.INC, i).join(), i);
                    check(processPool.call(BenchTasks.INC, i).join(), i);
                }
            } else {
                ThreadPoolExecutor tpe = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                        new LinkedBlockingQueue<>());
                executor = tpe;
                tpe.prestartAllCoreThreads();
                for (int i = 0; i < 8; i++) {
                    int v = i;
                    check(tpe.submit(() -> BenchTasks.inc(v)).get(), i);
                }
            }
            Thread.sleep(settleMillis);
            Measurement.Stopwatch watch = Measurement.start();
            long host0 = CpuClock.processCpuNanos();
            Map<String, Long> kids0 = descendantsCpu();
            Map<String, Long> own0 = threadsCpu(ProcessHandle.current().pid(), new HashMap<>());
            Thread.sleep(spec.durationNanos() / 1_000_000);
            long host1 = CpuClock.processCpuNanos();
            // this JVM's threads first: reading the descendants' /proc files (38 threads' files for
            // two worker JVMs) is the bench's own work, and was counted against the pool
            Map<String, Long> own1 = threadsCpu(ProcessHandle.current().pid(), new HashMap<>());
            Map<String, Long> kids1 = descendantsCpu();
            Measurement m = watch.stop(1, 0, null, "");
            // getProcessCpuTime ticks at 10 ms here (0.33% of a core over 3 s): sum the threads' ns instead
            long hostTicks = host1 - host0;
            long host = 0;
            for (Map.Entry<String, Long> e : own1.entrySet()) {
                host += Math.max(0, e.getValue() - own0.getOrDefault(e.getKey(), 0L));
            }
            long kids = 0;
            for (Map.Entry<String, Long> e : kids1.entrySet()) {
                kids += Math.max(0, e.getValue() - kids0.getOrDefault(e.getKey(), 0L));
            }
            long processes = kids1.keySet().stream().map(k -> k.split("/")[0]).distinct().count();
            String note = String.format(Locale.ROOT, "host=%.3f%% (process clock %.2f%%) descendants=%.3f%% (%d processes, %d threads) settle=%dms; busiest threads: %s",
                    100.0 * host / m.wallNanos(), 100.0 * hostTicks / m.wallNanos(), 100.0 * kids / m.wallNanos(),
                    processes, kids1.size(), settleMillis,
                    busiest(m.wallNanos(), own0, own1, kids0, kids1));
            return new Measurement(m.ops(), m.wallNanos(), host + kids, 0, null, m.gcCount(), m.gcMillis(),
                    m.machineIdle(), m.machineSteal(), note);
        } finally {
            stop();
        }
    }

    private static void check(Integer r, int v) {
        if (r == null || r != v + 1) {
            throw new IllegalStateException("INC(" + v + ") returned " + r);
        }
    }

    private void stop() {
        Pool t = threadPool;
        Pool p = processPool;
        ExecutorService e = executor;
        threadPool = null;
        processPool = null;
        executor = null;
        if (t != null) {
            t.shutdown().orTimeout(20, TimeUnit.SECONDS).join();
        }
        if (p != null) {
            p.shutdown().orTimeout(20, TimeUnit.SECONDS).join();
        }
        if (e != null) {
            e.shutdownNow();
        }
    }

    void abandon() {
        Pool t = threadPool;
        Pool p = processPool;
        ExecutorService e = executor;
        if (t != null) {
            t.shutdownNow();
        }
        if (p != null) {
            p.shutdownNow();
        }
        if (e != null) {
            e.shutdownNow();
        }
    }

    /**
     * @return CPU nanoseconds so far of every thread of every live descendant process, keyed
     *         "pid/tid" (or "pid" when only the process total is readable)
     */
    static Map<String, Long> descendantsCpu() {
        Map<String, Long> out = new HashMap<>();
        ProcessHandle.current().descendants().forEach(h -> threadsCpu(h.pid(), out));
        return out;
    }

    /** @return the threads that used the most CPU in the window, as "pid/tid(name)=x.xx%" */
    private static String busiest(long wall, Map<String, Long> own0, Map<String, Long> own1, Map<String, Long> kids0,
                                  Map<String, Long> kids1) {
        Map<String, Long> used = new HashMap<>();
        own1.forEach((k, v) -> used.put(k, v - own0.getOrDefault(k, 0L)));
        kids1.forEach((k, v) -> used.put(k, v - kids0.getOrDefault(k, 0L)));
        return used.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .map(e -> String.format(Locale.ROOT, "%s(%s)=%.3f%%", e.getKey(), threadName(e.getKey()),
                        100.0 * e.getValue() / wall))
                .reduce((a, b) -> a + " " + b).orElse("none");
    }

    private static String threadName(String key) {
        if (!key.contains("/")) {
            return "?";
        }
        String[] pt = key.split("/");
        try {
            return Files.readString(Path.of("/proc", pt[0], "task", pt[1], "comm")).strip().replace(' ', '_');
        } catch (IOException | RuntimeException e) {
            return "exited";
        }
    }

    private static Map<String, Long> threadsCpu(long pid, Map<String, Long> out) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path t : list.toList()) {
                try {
                    String s = Files.readString(t.resolve("schedstat")).trim();
                    out.put(pid + "/" + t.getFileName(), Long.parseLong(s.substring(0, s.indexOf(' '))));
                } catch (IOException | RuntimeException e) {
                    // thread gone meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            long ns = statCpuNanos(pid);
            if (ns >= 0) {
                out.put(Long.toString(pid), ns);
            }
        }
        return out;
    }

    private static long statCpuNanos(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after ")": state(3) ... utime is field 14, stime 15 of the whole line
            return (long) ((Long.parseLong(f[11]) + Long.parseLong(f[12])) * CLOCK_TICK_NANOS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
