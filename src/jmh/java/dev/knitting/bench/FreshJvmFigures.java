package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The figures a user meets first, each from fresh JVMs (the README's "first run" table), where
 * {@code scripts/bench} measures long-warmed sides inside one JVM. Public API only.
 *
 * <pre>
 * mvn -q -o test-compile
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes \
 *     dev.knitting.bench.FreshJvmFigures [--jvms N]
 * </pre>
 *
 * Probes, each run in {@code N} fresh JVMs [10], rounds interleaved (every probe once per round,
 * in reverse order on odd rounds) so that drifting machine noise hits all alike:
 * <ul>
 * <li><b>cold start</b>: wall time from starting a JVM to its exit, for a plain hello-world and for
 *     a program that starts a pool of one THREAD or PROCESS worker, makes one call and closes it;</li>
 * <li><b>first-day hot calls</b>: a JVM starts a pool of one worker, makes {@value #WARMUP_CALLS}
 *     untimed calls and then {@value #TIMED_CALLS} timed {@code call(INC, v).join()} back to back;
 *     it reports their p50 and p99. One line lists every JVM's p50, so a slow mode shows instead of
 *     vanishing into a median. The same JVM then makes {@value #LATER_WARMUP_CALLS} more untimed
 *     calls and times {@value #TIMED_CALLS} again: the "later" line, how the same pool does once
 *     the JVM has run a while.</li>
 * </ul>
 * Every child JVM has the same launcher, flags and class path as the hello-world one. Before each,
 * the driver waits up to two seconds for other processes to calm down (as {@code scripts/bench}
 * does) and prints how busy they were, so a figure taken on a contended machine says so.
 */
public final class FreshJvmFigures {
    /** Untimed calls before the timed ones, in a first-day hot JVM. */
    static final int WARMUP_CALLS = 20_000;
    /** Timed calls of a first-day hot JVM, and again for the later figure. */
    static final int TIMED_CALLS = 50_000;
    /** Untimed calls between the first-day and the later timed calls. */
    static final int LATER_WARMUP_CALLS = 200_000;
    /** Calls a JVM has made when its later timed calls begin. */
    static final int CALLS_BEFORE_LATER = WARMUP_CALLS + TIMED_CALLS + LATER_WARMUP_CALLS;

    static final String ANSWER = "@@fresh-jvm ";
    private static final long CHILD_TIMEOUT_SECONDS = 180;
    /** Before each JVM, wait up to {@link #QUIET_WAIT_MILLIS} for other processes to use fewer cores. */
    private static final double QUIET_CORES = 0.35;
    private static final long QUIET_WAIT_MILLIS = 2_000;
    /**
     * Read by the driver only: in a holder, so a cold child (which initializes this class) compiles
     * no regular expression; the cold-start figures are the user's program, not this harness.
     */
    private static final class Others {
        static final Pattern PATTERN = Pattern.compile("others=([0-9.]+)cores");
    }

    private FreshJvmFigures() {
    }

    /** One thing measured in fresh JVMs: its label, the child's main class and arguments. */
    private record Probe(String label, boolean hot, Class<?> main, String... args) {
    }

    /** The plain hello-world JVM of the cold-start line: loads nothing of Knitting. */
    public static final class Hello {
        private Hello() {
        }

        /** @param args none */
        public static void main(String[] args) {
            System.out.println(ANSWER + "hello");
        }
    }

    /** @param args {@code [--jvms N]}, or a child mode: {@code cold R} or {@code hot R} */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && !args[0].startsWith("--")) {
            System.out.println(ANSWER + child(args));
            return;
        }
        int jvms = 10;
        if (args.length == 2 && args[0].equals("--jvms")) {
            jvms = Integer.parseInt(args[1]);
        } else if (args.length != 0) {
            throw new IllegalArgumentException("usage: FreshJvmFigures [--jvms N]; args=" + Arrays.toString(args));
        }
        if (jvms < 1 || jvms > 1000) {
            throw new IllegalArgumentException("jvms=" + jvms + " must be in [1, 1000]");
        }
        drive(jvms);
    }

    private static void drive(int jvms) throws Exception {
        List<Probe> probes = List.of(
                new Probe("cold start: hello-world JVM, no pool", false, Hello.class),
                new Probe("cold start: THREAD pool of 1, one call, close", false, FreshJvmFigures.class, "cold",
                        "THREAD"),
                new Probe("cold start: PROCESS pool of 1, one call, close", false, FreshJvmFigures.class, "cold",
                        "PROCESS"),
                new Probe("first-day hot call p50: THREAD, 1 worker", true, FreshJvmFigures.class, "hot", "THREAD"),
                new Probe("first-day hot call p50: PROCESS, 1 worker", true, FreshJvmFigures.class, "hot",
                        "PROCESS"));
        System.out.printf(Locale.ROOT, "# fresh JVMs: %d per probe | %s | load average %s%n", jvms, Machine.header(),
                Machine.loadAverage());
        List<Double> foreign = new ArrayList<>();
        List<List<Long>> figures = new ArrayList<>();
        List<List<Long>> tails = new ArrayList<>();
        List<List<Long>> laters = new ArrayList<>();
        probes.forEach(p -> {
            figures.add(new ArrayList<>());
            tails.add(new ArrayList<>());
            laters.add(new ArrayList<>());
        });
        for (int round = 0; round < jvms; round++) {
            for (int k = 0; k < probes.size(); k++) {
                int i = round % 2 == 0 ? k : probes.size() - 1 - k;
                Probe probe = probes.get(i);
                foreign.add(othersCores(Machine.awaitQuiet(QUIET_CORES, QUIET_WAIT_MILLIS)));
                long t0 = System.nanoTime();
                String answer = runChild(probe.main(), probe.args());
                long wall = System.nanoTime() - t0;
                if (probe.hot()) {
                    String[] words = answer.split(" ");
                    figures.get(i).add(Long.parseLong(words[0]));
                    tails.get(i).add(Long.parseLong(words[1]));
                    laters.get(i).add(Long.parseLong(words[2]));
                } else {
                    figures.get(i).add(wall);
                }
            }
        }
        double[] others = foreign.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted()
                .toArray();
        if (others.length > 0) {
            System.out.printf(Locale.ROOT, "# other processes' CPU just before each JVM: median %.2f cores, max %.2f"
                    + " (waited up to %d ms for < %.2f); load average now %s%n", others[others.length / 2],
                    others[others.length - 1], QUIET_WAIT_MILLIS, QUIET_CORES, Machine.loadAverage());
        }
        for (int i = 0; i < probes.size(); i++) {
            Probe probe = probes.get(i);
            System.out.printf(Locale.ROOT, "%-48s %s%n", probe.label(), summary(figures.get(i)));
            if (probe.hot()) {
                System.out.printf(Locale.ROOT, "%-48s %s%n", probe.label().replace("p50", "p99"),
                        summary(tails.get(i)));
                System.out.printf(Locale.ROOT, "%-48s %s%n", "later hot call p50: " + probe.args()[1] + ", after "
                        + CALLS_BEFORE_LATER / 1000 + "k calls", summary(laters.get(i)));
            }
        }
    }

    /** Starts {@code main} in a fresh JVM with {@code args}; returns its answer, after it exited. */
    static String runChild(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> command = ChildJvms.command(List.of("--enable-native-access=ALL-UNNAMED"), null,
                main.getName(), args);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("child " + String.join(" ", args) + " still running after "
                    + CHILD_TIMEOUT_SECONDS + " s");
        }
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int at = out.lastIndexOf(ANSWER);
        if (process.exitValue() != 0 || at < 0) {
            throw new IllegalStateException("child " + String.join(" ", args) + " exited with "
                    + process.exitValue() + " and printed: " + out);
        }
        return out.substring(at + ANSWER.length()).strip();
    }

    /** What a child JVM does; returns its answer. */
    private static String child(String... args) {
        return switch (args[0]) {
            case "cold" -> {
                try (Pool pool = pool(args)) {
                    check(1, pool.call(BenchTasks.INC, 1).join());
                }
                yield "ok";
            }
            case "hot" -> args.length == 2 && args[1].equals("TPE") ? hotExecutor() : hot(args);
            case "many" -> many(Integer.parseInt(args[1]));
            case "hold" -> hold();
            default -> throw new IllegalArgumentException("child mode=" + args[0] + " is not cold or hot");
        };
    }

    /**
     * Starts a PROCESS pool of {@code workers}, times its start, reads each worker JVM's memory while
     * the pool is up, makes one call per worker, closes it.
     *
     * @return "startNanos ussBytes pssBytes": the start, and the median worker's USS and PSS
     */
    private static String many(int workers) {
        long t0 = System.nanoTime();
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(workers).start(BenchTasks.class)) {
            long start = System.nanoTime() - t0;
            List<long[]> memory = ProcessHandle.current().children()
                    .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                    .map(h -> WorkerMemory.of(h.pid())).toList();
            if (memory.size() != workers) {
                throw new IllegalStateException(memory.size() + " worker JVMs found, " + workers + " expected");
            }
            for (int i = 0; i < workers; i++) {
                check(i, pool.call(BenchTasks.INC, i).join());
            }
            return start + " " + WorkerMemory.median(memory, 0) + " " + WorkerMemory.median(memory, 1);
        }
    }

    /** A plain JVM that stays up until its stdin closes, so that its memory can be read. */
    private static String hold() {
        System.out.println(ANSWER + "ready");
        System.out.flush();
        try {
            System.in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "done";
    }

    private static String hot(String... args) {
        long[] firstDay = new long[TIMED_CALLS];
        long[] later = new long[TIMED_CALLS];
        try (Pool pool = pool(args)) {
            untimed(pool, WARMUP_CALLS);
            timed(pool, firstDay);
            untimed(pool, LATER_WARMUP_CALLS);
            timed(pool, later);
        }
        Arrays.sort(firstDay);
        Arrays.sort(later);
        return firstDay[TIMED_CALLS / 2] + " " + firstDay[TIMED_CALLS * 99 / 100] + " " + later[TIMED_CALLS / 2];
    }

    /** The first-day hot figures of a {@code ThreadPoolExecutor(1)} submit+get, the G1u baseline. */
    private static String hotExecutor() {
        long[] firstDay = new long[TIMED_CALLS];
        long[] later = new long[TIMED_CALLS];
        java.util.concurrent.ExecutorService tpe = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0L,
                TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>());
        try {
            for (int i = 0; i < WARMUP_CALLS; i++) {
                int v = i & 127;
                check(v, submitGet(tpe, v));
            }
            for (int i = 0; i < TIMED_CALLS; i++) {
                int v = i & 127;
                long t0 = System.nanoTime();
                int r = submitGet(tpe, v);
                firstDay[i] = System.nanoTime() - t0;
                check(v, r);
            }
            for (int i = 0; i < LATER_WARMUP_CALLS; i++) {
                check(i & 127, submitGet(tpe, i & 127));
            }
            for (int i = 0; i < TIMED_CALLS; i++) {
                int v = i & 127;
                long t0 = System.nanoTime();
                int r = submitGet(tpe, v);
                later[i] = System.nanoTime() - t0;
                check(v, r);
            }
        } finally {
            tpe.shutdownNow();
        }
        Arrays.sort(firstDay);
        Arrays.sort(later);
        return firstDay[TIMED_CALLS / 2] + " " + firstDay[TIMED_CALLS * 99 / 100] + " " + later[TIMED_CALLS / 2];
    }

    private static int submitGet(java.util.concurrent.ExecutorService tpe, int v) {
        try {
            return tpe.submit(() -> BenchTasks.inc(v)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One fresh JVM's first-day hot p50 ({@value #WARMUP_CALLS} untimed, then {@value #TIMED_CALLS}
     * timed calls), for {@code scripts/bench}'s G1u.
     *
     * @param kind THREAD, PROCESS, or TPE (a {@code ThreadPoolExecutor(1)} submit+get)
     * @return nanoseconds
     */
    static long firstDayHotP50(String kind) throws IOException, InterruptedException {
        return Long.parseLong(runChild(FreshJvmFigures.class, "hot", kind).split(" ")[0]);
    }

    private static void untimed(Pool pool, int calls) {
        for (int i = 0; i < calls; i++) {
            check(i & 127, pool.call(BenchTasks.INC, i & 127).join());
        }
    }

    private static void timed(Pool pool, long[] nanos) {
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            int r = pool.call(BenchTasks.INC, i & 127).join();
            nanos[i] = System.nanoTime() - t0;
            check(i & 127, r);
        }
    }

    private static Pool pool(String... args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("child mode=" + args[0] + " needs a runtime, THREAD or PROCESS");
        }
        // not WorkerRuntime.valueOf: its reflective values() costs a cold child a spun accessor class
        WorkerRuntime runtime = switch (args[1]) {
            case "THREAD" -> WorkerRuntime.THREAD;
            case "PROCESS" -> WorkerRuntime.PROCESS;
            default -> throw new IllegalArgumentException("runtime=" + args[1] + " is not THREAD or PROCESS");
        };
        return Knitting.pool().runtime(runtime).threads(1).start(BenchTasks.class);
    }

    private static void check(int v, int result) {
        if (result != v + 1) {
            throw new IllegalStateException("INC(" + v + ") answered " + result);
        }
    }

    /** @return the cores other processes used, from {@link Machine#awaitQuiet}'s answer; NaN if unknown */
    private static double othersCores(String quiet) {
        Matcher m = Others.PATTERN.matcher(quiet);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** @return "median M  min A  max B  per JVM: x y z ..." */
    private static String summary(List<Long> values) {
        double[] nanos = values.stream().mapToDouble(Long::doubleValue).toArray();
        return "median " + Units.nanos(ScenarioResult.median(nanos))
                + "  min " + Units.nanos(Arrays.stream(nanos).min().orElseThrow())
                + "  max " + Units.nanos(Arrays.stream(nanos).max().orElseThrow())
                + "  per JVM: " + Arrays.stream(nanos).mapToObj(Units::nanos).collect(Collectors.joining(" "));
    }
}
