package dev.knitting.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * G10 as a user's program meets it: fresh JVMs, side by side with plain hello-world JVMs started
 * the same way (rounds interleaved).
 * <ul>
 * <li><b>cold hello world</b>: wall time from starting a JVM to its exit, for a program that starts
 *     a pool of one THREAD or PROCESS worker, makes one call and closes it
 *     ({@code FreshJvmFigures cold}), against a hello-world JVM ({@code FreshJvmFigures$Hello});</li>
 * <li><b>8 process workers</b>: a JVM starts a PROCESS pool of 8 and times the start
 *     ({@code FreshJvmFigures many 8}), against 8 hello-world JVMs started at once, timed until all
 *     said hello; and each worker JVM's unshared memory (USS) and proportional share (PSS), against
 *     a hello-world JVM's, read while it is up.</li>
 * </ul>
 * Every JVM runs from one jar ({@link StartupJar}), the way an application ships, so worker JVMs
 * use Knitting's automatic AOT cache (kept in {@code target/bench-aot}; trained at open when an
 * earlier run left none). The extras (full mode) are the same programs from the class directories,
 * where the JDK can make no AOT cache.
 */
final class ColdStartSide {
    private static final Pattern MEMORY = Pattern.compile("uss=(\\d+) pss=(\\d+)");
    private static final long CHILD_TIMEOUT_SECONDS = 180;

    private ColdStartSide() {
    }

    static Scenario coldThread(boolean quick) {
        return cold(quick, "THREAD", new Scenario.Goal("<= 2x a plain hello-world JVM", (k, r) -> r >= 0.5));
    }

    static Scenario coldProcess(boolean quick) {
        return cold(quick, "PROCESS", new Scenario.Goal("<= 3x a plain hello-world JVM", (k, r) -> r >= 1.0 / 3));
    }

    private static Scenario cold(boolean quick, String runtime, Scenario.Goal goal) {
        Supplier<List<Contender>> contenders = () -> {
            List<Contender> c = new ArrayList<>(List.of(
                    freshJvm("cold " + runtime + " pool of 1, one call, close (jar)", true, "cold", runtime),
                    freshJvm("hello-world JVM (jar)", true, "hello")));
            if (!quick) {
                c.add(freshJvm("cold " + runtime + " pool of 1, one call, close (class dirs)", false, "cold",
                        runtime));
                c.add(freshJvm("hello-world JVM (class dirs)", false, "hello"));
            }
            return c;
        };
        List<Scenario.Line> lines = List.of(new Scenario.Line("cold hello world " + runtime
                + " (fresh JVM: start a pool, one call, close) vs plain hello-world JVM", Metric.percentile(50), goal));
        int jvms = quick ? 2 : 4;
        return new Scenario("G10", contenders, lines, 0, quick ? 3 : 5, RoundSpec.paced(1, 0), RoundSpec.paced(jvms, 0),
                300_000, quick ? 0 : 2_000);
    }

    static Scenario eightWorkers(boolean quick) {
        Supplier<List<Contender>> contenders = () -> List.of(eightPool(), eightHellos());
        Scenario.Goal memoryGoal = new Scenario.Goal("<= 40 MB unshared per worker", (k, r) -> k <= 40e6);
        List<Scenario.Line> lines = List.of(
                new Scenario.Line("8 process workers start vs 8 hello-world JVMs at once", Metric.percentile(50),
                        new Scenario.Goal("<= 1 s", (k, r) -> k <= 1e9)),
                new Scenario.Line("8 process workers USS per worker vs a hello-world JVM", memory(1), memoryGoal),
                new Scenario.Line("8 process workers PSS per worker vs a hello-world JVM", memory(2),
                        new Scenario.Goal("(informational)", (k, r) -> true)));
        return new Scenario("G10", contenders, lines, 0, quick ? 3 : 5, RoundSpec.paced(1, 0), RoundSpec.paced(1, 0),
                300_000, quick ? 0 : 2_000);
    }

    /** A memory figure from a round's note: group 1 USS, group 2 PSS, in bytes. */
    private static Metric memory(int group) {
        return new Metric(group == 1 ? "USS median" : "PSS median", m -> {
            Matcher matcher = MEMORY.matcher(m.note());
            return matcher.find() ? Double.parseDouble(matcher.group(group)) : Double.NaN;
        }, true, bytes -> String.format(java.util.Locale.ROOT, "%.1fMB", bytes / 1e6));
    }

    /** Runs {@code FreshJvmFigures args...} in fresh JVMs, timing each from start to exit. */
    private static Contender freshJvm(String name, boolean jar, String... args) {
        return new Contender(name) {
            private String classPath;

            @Override
            public void open() throws Exception {
                classPath = classPath(jar);
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                LatencyHistogram h = new LatencyHistogram();
                Measurement.Stopwatch watch = Measurement.start();
                for (int i = 0; i < spec.calls(); i++) {
                    long t0 = System.nanoTime();
                    run(classPath, args);
                    h.record(System.nanoTime() - t0);
                }
                return watch.stop(spec.calls(), 0, h, "");
            }

            @Override
            public void close() {
            }
        };
    }

    /** One JVM starting a pool of 8 process workers: its start time, the median worker's USS and PSS. */
    private static Contender eightPool() {
        return new Contender("PROCESS pool of 8 in a fresh JVM (jar)") {
            private String classPath;

            @Override
            public void open() throws Exception {
                classPath = classPath(true);
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                LatencyHistogram h = new LatencyHistogram();
                Measurement.Stopwatch watch = Measurement.start();
                String[] words = run(classPath, "many", "8").split(" ");
                h.record(Long.parseLong(words[0]));
                return watch.stop(1, 0, h, "uss=" + words[1] + " pss=" + words[2]);
            }

            @Override
            public void close() {
            }
        };
    }

    /** 8 hello-world JVMs started at once, timed until all said hello; one's USS and PSS read then. */
    private static Contender eightHellos() {
        return new Contender("8 hello-world JVMs at once (jar)") {
            private String classPath;

            @Override
            public void open() throws Exception {
                classPath = classPath(true);
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                LatencyHistogram h = new LatencyHistogram();
                Measurement.Stopwatch watch = Measurement.start();
                List<Process> jvms = new ArrayList<>();
                List<long[]> memory = new ArrayList<>();
                try {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 8; i++) {
                        jvms.add(ChildJvms.start(new ProcessBuilder(command(classPath, "hold"))
                                .redirectError(ProcessBuilder.Redirect.DISCARD)));
                    }
                    for (Process jvm : jvms) {
                        awaitReady(jvm);
                    }
                    h.record(System.nanoTime() - t0);
                    for (Process jvm : jvms) {
                        memory.add(WorkerMemory.of(jvm.pid()));
                    }
                } finally {
                    for (Process jvm : jvms) {
                        jvm.getOutputStream().close();
                        ChildJvms.stop(jvm, 10_000);
                    }
                }
                return watch.stop(1, 0, h, "uss=" + WorkerMemory.median(memory, 0) + " pss="
                        + WorkerMemory.median(memory, 1));
            }

            @Override
            public void close() {
            }
        };
    }

    private static void awaitReady(Process jvm) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(FreshJvmFigures.ANSWER + "ready")) {
                return;
            }
        }
        throw new IllegalStateException("a hello-world JVM exited before it was ready");
    }

    /**
     * @return the jar (whose worker AOT cache exists once this returns: trained now if missing), or
     *     this JVM's class path of directories
     */
    private static String classPath(boolean jar) throws Exception {
        if (!jar) {
            return System.getProperty("java.class.path");
        }
        StartupJar startup = StartupJar.get();
        String classPath = startup.jar().toString();
        if (!hasCache()) {
            run(classPath, "cold", "PROCESS"); // its first worker starts the training
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS);
            while (!hasCache()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("no worker AOT cache in " + aotFolder() + " after "
                            + CHILD_TIMEOUT_SECONDS + " s");
                }
                Thread.sleep(200);
            }
        }
        return classPath;
    }

    private static Path aotFolder() {
        return Path.of("target", "bench-aot").toAbsolutePath();
    }

    private static boolean hasCache() throws IOException {
        Path folder = aotFolder();
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".aot"));
        }
    }

    private static List<String> command(String classPath, String... args) {
        return ChildJvms.command(List.of("--enable-native-access=ALL-UNNAMED",
                "-Dknitting.workerAotCache=" + aotFolder()), classPath, FreshJvmFigures.class.getName(), args);
    }

    /** Runs {@code FreshJvmFigures args} (or its hello world) to its exit; @return its answer */
    private static String run(String classPath, String... args) throws IOException, InterruptedException {
        List<String> cmd = args[0].equals("hello")
                ? ChildJvms.command(List.of("--enable-native-access=ALL-UNNAMED"), classPath,
                        FreshJvmFigures.Hello.class.getName())
                : command(classPath, args);
        Process process = ChildJvms.start(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD));
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            ChildJvms.kill(process);
            throw new IllegalStateException(String.join(" ", args) + " still running after " + CHILD_TIMEOUT_SECONDS
                    + " s");
        }
        int at = out.lastIndexOf(FreshJvmFigures.ANSWER);
        if (process.exitValue() != 0 || at < 0) {
            throw new IllegalStateException(String.join(" ", args) + " exited with " + process.exitValue()
                    + " and printed: " + out);
        }
        return out.substring(at + FreshJvmFigures.ANSWER.length()).strip();
    }
}
