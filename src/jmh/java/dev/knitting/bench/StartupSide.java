package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * G10: process pool start to first answer, against a bare {@code java -version} started with
 * {@code ProcessBuilder} (start to exit), N of each per round, interleaved. Extras try what the JDK
 * offers to start a worker JVM faster, passed with {@code jvmArgs(...)} (the library adds none):
 * C1 only with the serial GC, and a JDK AOT cache ({@code -XX:AOTCache}, made by a training run with
 * {@code -XX:AOTCacheOutput}). An AOT cache cannot be made while a non-empty directory is on the
 * class path, and a worker runs with its host's class path, so the AOT extras run in a second host
 * JVM ({@link StartupProbeMain}) whose class path is one jar of this JVM's class directories
 * ({@link StartupJar}); the same host without a cache is measured too, to separate the effect of
 * the jar from that of the cache.
 */
public final class StartupSide {
    static final List<String> C1_SERIAL = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private StartupSide() {
    }

    static Scenario g10(boolean quick) {
        Supplier<List<Contender>> contenders = () -> {
            List<Contender> c = new ArrayList<>();
            c.add(inProcess("knitting process(1) start+first call (class dirs)", List.of()));
            c.add(bareJava("java -version (ProcessBuilder start to exit)", List.of()));
            if (!quick) {
                c.add(inProcess("knitting + " + String.join(" ", C1_SERIAL), C1_SERIAL));
                // The AOT extras need the second host (one more JVM, a training run): full mode only.
                c.add(probe("knitting, jar host, no AOT cache", List.of(), false));
                c.add(probe("knitting, jar host, " + String.join(" ", C1_SERIAL), C1_SERIAL, false));
                c.add(probe("knitting, jar host, AOT cache", List.of(), true));
                c.add(probe("knitting, jar host, AOT cache + " + String.join(" ", C1_SERIAL), C1_SERIAL, true));
                c.add(bareJava("java " + String.join(" ", C1_SERIAL) + " -version", C1_SERIAL));
            }
            return c;
        };
        List<Scenario.Line> lines = List.of(new Scenario.Line(
                "process pool start to first answer p50 vs bare java -version", Metric.percentile(50),
                new Scenario.Goal("<= 2x a bare java start measured in the same run", (k, r) -> r >= 0.5)));
        return quick
                ? new Scenario("G10", contenders, lines, 1, 3, RoundSpec.paced(1, 0), RoundSpec.paced(1, 0), 60_000, 0)
                : new Scenario("G10", contenders, lines, 1, 7, RoundSpec.paced(2, 0), RoundSpec.paced(2, 0), 120_000, 0);
    }

    /** Starts a process pool in this JVM (class path of directories), times it to the first answer. */
    static Contender inProcess(String name, List<String> jvmArgs) {
        return new Contender(name) {
            @Override
            public void open() {
            }

            @Override
            public Measurement round(RoundSpec spec) {
                LatencyHistogram h = new LatencyHistogram();
                long[] stop = new long[1];
                long stopMax = 0;
                Measurement.Stopwatch watch = Measurement.start();
                for (int i = 0; i < spec.calls(); i++) {
                    h.record(startToFirstAnswer(jvmArgs, stop));
                    stopMax = Math.max(stopMax, stop[0]);
                }
                return watch.stop(spec.calls(), 0, h, "jvmArgs=" + jvmArgs + " shutdown (untimed) took up to "
                        + Units.nanos(stopMax));
            }

            @Override
            public void close() {
            }
        };
    }

    /** @return nanoseconds from before {@code start} to after the first answer; the pool is then stopped */
    static long startToFirstAnswer(List<String> jvmArgs) {
        return startToFirstAnswer(jvmArgs, new long[1]);
    }

    /**
     * @param stopNanos receives how long the pool's graceful shutdown took afterwards
     * @return nanoseconds from before {@code start} to after the first answer; the pool is then stopped
     */
    static long startToFirstAnswer(List<String> jvmArgs, long[] stopNanos) {
        Pool pool = null;
        try {
            long t0 = System.nanoTime();
            pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).jvmArgs(jvmArgs.toArray(String[]::new))
                    .start(BenchTasks.class);
            Integer two = pool.call(BenchTasks.INC, 1).join();
            long t1 = System.nanoTime();
            if (two == null || two != 2) {
                throw new IllegalStateException("INC(1) returned " + two);
            }
            Pool p = pool;
            pool = null;
            p.shutdown().orTimeout(20, TimeUnit.SECONDS).join();
            stopNanos[0] = System.nanoTime() - t1;
            return t1 - t0;
        } finally {
            if (pool != null) {
                pool.shutdownNow().orTimeout(10, TimeUnit.SECONDS).join();
            }
        }
    }

    /** {@code java [flags] -version}, output discarded, timed from {@code start()} to exit. */
    static Contender bareJava(String name, List<String> flags) {
        return new Contender(name) {
            @Override
            public void open() {
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                List<String> cmd = new ArrayList<>();
                cmd.add(ChildJvms.java());
                cmd.addAll(flags);
                cmd.add("-version");
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
                LatencyHistogram h = new LatencyHistogram();
                Measurement.Stopwatch watch = Measurement.start();
                for (int i = 0; i < spec.calls(); i++) {
                    long t0 = System.nanoTime();
                    Process p = ChildJvms.start(pb);
                    boolean done = p.waitFor(30, TimeUnit.SECONDS);
                    long t1 = System.nanoTime();
                    if (!done) {
                        ChildJvms.kill(p);
                        throw new IllegalStateException("java -version still running after 30 s");
                    }
                    if (p.exitValue() != 0) {
                        throw new IllegalStateException("java -version exited with " + p.exitValue());
                    }
                    h.record(t1 - t0);
                }
                return watch.stop(spec.calls(), 0, h, "");
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Times pool starts in the second host JVM running from a jar ({@link ProbeHost}, shared by every
     * probe contender so that their host side is equally warm), optionally with an AOT cache made at
     * open by a training run if an earlier run did not leave one.
     */
    static Contender probe(String name, List<String> flags, boolean aot) {
        return new Contender(name) {
            private ProbeHost host;
            private final List<String> startArgs = new ArrayList<>();
            private String note = "";

            @Override
            public void open() throws Exception {
                host = ProbeHost.acquire();
                if (aot) {
                    Path cache = host.jar().aotCache(flags.isEmpty() ? "default" : "c1serial");
                    if (!Files.isRegularFile(cache)) {
                        List<String> train = new ArrayList<>(List.of("train", cache.toString()));
                        train.addAll(flags);
                        long ns = host.ask(train);
                        note = "trained " + cache.getFileName() + " (" + Files.size(cache) / 1024 + " KiB) in "
                                + Units.nanos(ns) + " at open; ";
                    } else {
                        note = "AOT cache " + cache.getFileName() + " left by an earlier run; ";
                    }
                    startArgs.add("-XX:AOTCache=" + cache);
                    startArgs.add("-XX:AOTMode=on");
                }
                startArgs.addAll(flags);
                note += "worker jvmArgs=" + startArgs;
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                List<String> cmd = new ArrayList<>();
                cmd.add("start");
                cmd.addAll(startArgs);
                LatencyHistogram h = new LatencyHistogram();
                Measurement.Stopwatch watch = Measurement.start();
                for (int i = 0; i < spec.calls(); i++) {
                    h.record(host.ask(cmd));
                }
                return watch.stop(spec.calls(), 0, h, note);
            }

            @Override
            public void close() throws IOException {
                ProbeHost h = host;
                host = null;
                if (h != null) {
                    h.release();
                }
            }

            @Override
            public void abandon() {
                ProbeHost h = host;
                if (h != null) {
                    h.kill();
                }
            }
        };
    }

    /**
     * The second host JVM ({@link StartupProbeMain}) with a class path of one jar, shared by the
     * probe contenders of a scenario: started by the first to open, stopped by the last to close.
     * Warmed at start with two untimed pool starts.
     */
    static final class ProbeHost {
        private static ProbeHost shared;

        private final StartupJar jar;
        private final Process process;
        private final OutputStream toHost;
        private final BufferedReader fromHost;
        private final Path stderr;
        private int users;

        private ProbeHost(StartupJar jar) throws IOException {
            this.jar = jar;
            stderr = Files.createTempFile("knitbench-probe", ".err");
            ProcessBuilder pb = new ProcessBuilder(ChildJvms.command(List.of("--enable-native-access=ALL-UNNAMED"),
                    jar.jar().toString(), StartupProbeMain.class.getName()));
            pb.redirectError(stderr.toFile());
            process = ChildJvms.start(pb);
            toHost = process.getOutputStream();
            fromHost = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static synchronized ProbeHost acquire() throws IOException {
            if (shared == null || !shared.process.isAlive()) {
                ProbeHost h = new ProbeHost(StartupJar.get());
                try {
                    h.ask(List.of("start"));
                    h.ask(List.of("start"));
                } catch (IOException | RuntimeException e) {
                    h.kill();
                    throw e;
                }
                shared = h;
            }
            shared.users++;
            return shared;
        }

        StartupJar jar() {
            return jar;
        }

        synchronized long ask(List<String> words) throws IOException {
            toHost.write((String.join("\t", words) + "\n").getBytes(StandardCharsets.UTF_8));
            toHost.flush();
            String line;
            List<String> other = new ArrayList<>();
            while ((line = fromHost.readLine()) != null) {
                if (line.startsWith(StartupProbeMain.ANSWER)) {
                    String a = line.substring(StartupProbeMain.ANSWER.length());
                    if (a.startsWith("ok ")) {
                        return Long.parseLong(a.substring(3).trim());
                    }
                    throw new IllegalStateException("probe host: " + a + (other.isEmpty() ? "" : "; output " + other));
                }
                if (other.size() < 5) {
                    other.add(line);
                }
            }
            throw new IllegalStateException("probe host exited (" + stderrTail() + ")");
        }

        private String stderrTail() {
            try {
                String s = Files.readString(stderr).strip();
                return s.length() > 400 ? "..." + s.substring(s.length() - 400) : s;
            } catch (IOException | RuntimeException e) {
                return "stderr unreadable";
            }
        }

        void release() throws IOException {
            synchronized (ProbeHost.class) {
                if (--users > 0) {
                    return;
                }
                if (shared == this) {
                    shared = null;
                }
            }
            try {
                toHost.close();
            } finally {
                ChildJvms.stop(process, 10_000);
                Files.deleteIfExists(stderr);
            }
        }

        void kill() {
            ChildJvms.kill(process);
        }
    }
}
