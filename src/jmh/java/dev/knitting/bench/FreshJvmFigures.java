package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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
 *     it reports their p50 and p99. One line lists every JVM's p50, so a JVM whose worker and
 *     caller ended up sharing one CPU (a slow mode) shows instead of vanishing into a median.</li>
 * </ul>
 * Every child JVM has the same launcher, flags and class path as the hello-world one.
 */
public final class FreshJvmFigures {
    /** Untimed calls before the timed ones, in a first-day hot JVM. */
    static final int WARMUP_CALLS = 20_000;
    /** Timed calls of a first-day hot JVM. */
    static final int TIMED_CALLS = 50_000;

    private static final String ANSWER = "@@fresh-jvm ";
    private static final long CHILD_TIMEOUT_SECONDS = 180;

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
        System.out.printf(Locale.ROOT, "# fresh JVMs: %d per probe | Java %s (%s) | %s %s %s | %d CPUs | %s%n", jvms,
                Runtime.version(), System.getProperty("java.vm.vendor"), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        List<List<Long>> figures = new ArrayList<>();
        List<List<Long>> tails = new ArrayList<>();
        probes.forEach(p -> {
            figures.add(new ArrayList<>());
            tails.add(new ArrayList<>());
        });
        for (int round = 0; round < jvms; round++) {
            for (int k = 0; k < probes.size(); k++) {
                int i = round % 2 == 0 ? k : probes.size() - 1 - k;
                Probe probe = probes.get(i);
                long t0 = System.nanoTime();
                String answer = runChild(probe.main(), probe.args());
                long wall = System.nanoTime() - t0;
                if (probe.hot()) {
                    String[] words = answer.split(" ");
                    figures.get(i).add(Long.parseLong(words[0]));
                    tails.get(i).add(Long.parseLong(words[1]));
                } else {
                    figures.get(i).add(wall);
                }
            }
        }
        for (int i = 0; i < probes.size(); i++) {
            Probe probe = probes.get(i);
            List<Long> values = figures.get(i);
            System.out.printf(Locale.ROOT, "%-48s median %s  min %s  max %s  per JVM: %s%n", probe.label(),
                    format(median(values)), format(min(values)), format(max(values)),
                    values.stream().map(FreshJvmFigures::format).collect(Collectors.joining(" ")));
            if (probe.hot()) {
                System.out.printf(Locale.ROOT, "%-48s median %s  (p99 of each JVM's %d timed calls)%n",
                        probe.label().replace("p50", "p99"), format(median(tails.get(i))), TIMED_CALLS);
            }
        }
    }

    /** Starts {@code main} in a fresh JVM with {@code args}; returns its answer, after it exited. */
    private static String runChild(Class<?> main, String... args) throws IOException, InterruptedException {
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
            case "hot" -> hot(args);
            default -> throw new IllegalArgumentException("child mode=" + args[0] + " is not cold or hot");
        };
    }

    private static String hot(String... args) {
        long[] nanos = new long[TIMED_CALLS];
        try (Pool pool = pool(args)) {
            for (int i = 0; i < WARMUP_CALLS; i++) {
                check(i & 127, pool.call(BenchTasks.INC, i & 127).join());
            }
            for (int i = 0; i < TIMED_CALLS; i++) {
                long t0 = System.nanoTime();
                int r = pool.call(BenchTasks.INC, i & 127).join();
                nanos[i] = System.nanoTime() - t0;
                check(i & 127, r);
            }
        }
        Arrays.sort(nanos);
        return nanos[TIMED_CALLS / 2] + " " + nanos[TIMED_CALLS * 99 / 100];
    }

    private static Pool pool(String... args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("child mode=" + args[0] + " needs a runtime, THREAD or PROCESS");
        }
        return Knitting.pool().runtime(WorkerRuntime.valueOf(args[1])).threads(1).start(BenchTasks.class);
    }

    private static void check(int v, int result) {
        if (result != v + 1) {
            throw new IllegalStateException("INC(" + v + ") answered " + result);
        }
    }

    private static long median(List<Long> values) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static long min(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    private static String format(long nanos) {
        if (nanos >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
        }
        if (nanos >= 1_000) {
            return String.format(Locale.ROOT, "%.2fus", nanos / 1e3);
        }
        return nanos + "ns";
    }
}
