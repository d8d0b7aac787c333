package dev.knitting.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * The comparison suite behind {@code scripts/bench}: runs every scenario with knitting and its
 * baseline interleaved in this one JVM and prints one line per figure,
 * {@code G<n> <what> knitting=<figure> baseline=<figure> ratio=<R>x} (R > 1: knitting is better),
 * after a header line starting with {@code #}. Raw per-round output, the full histograms, JSON and
 * the README's markdown table go to {@code <out>/<timestamp>-<mode>/}, also reachable as
 * {@code <out>/latest}.
 *
 * <p>Options: {@code --quick} (under two minutes), {@code --json} (standard output gets the JSON
 * document instead of the lines), {@code --markdown} (also print the markdown table),
 * {@code --only G1,G5}, {@code --out dir} [bench-results]. Progress goes to standard error.
 */
public final class BenchSuite {
    private BenchSuite() {
    }

    /** Runs the suite; exits 0 when it ran (failed contenders show as error(...) in their lines). */
    public static void main(String[] args) throws IOException {
        boolean quick = false;
        boolean json = false;
        boolean markdown = false;
        String only = null;
        Path outRoot = Path.of("bench-results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> json = true;
                case "--markdown" -> markdown = true;
                case "--only" -> only = args[++i];
                case "--out" -> outRoot = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: BenchSuite [--quick] [--json] [--markdown] [--only G1,G5] [--out dir]");
                    System.exit(2);
                }
            }
        }
        String commit = System.getProperty("bench.commit", "unknown");
        String mode = (quick ? "quick" : "full") + ", commit " + commit;
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = outRoot.resolve(stamp + "-" + (quick ? "quick" : "full"));
        Files.createDirectories(dir);
        Path latest = outRoot.resolve("latest");
        Files.deleteIfExists(latest);
        try {
            Files.createSymbolicLink(latest, dir.getFileName());
        } catch (IOException | UnsupportedOperationException e) {
            // no symlinks here: the timestamped folder is enough
        }

        PrintStream stdout = System.out;
        PrintStream lines = json ? System.err : stdout;
        Report report = new Report(Machine.header(), mode);
        List<Scenario> scenarios = Scenarios.only(Scenarios.all(quick), only);
        try (PrintStream raw = new PrintStream(Files.newOutputStream(dir.resolve("raw.txt")), true,
                StandardCharsets.UTF_8);
             PrintStream summary = new PrintStream(Files.newOutputStream(dir.resolve("summary.txt")), true,
                     StandardCharsets.UTF_8)) {
            PrintStream both = tee(lines, summary);
            both.println(report.headerLine());
            raw.println(report.headerLine());
            raw.println("# java: " + System.getProperty("java.home") + " args " + Machine.jvmArgs());
            raw.println("# load average at start: " + Machine.loadAverage());
            raw.println("# max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + "MB; clocksource "
                    + Machine.clockSource() + "; System.nanoTime() costs ~" + Units.nanos(Machine.nanoTimeCost())
                    + " (included in every timed latency, on both sides)");
            raw.println("# CPU time from " + CpuClock.source() + "; cpu=N cores is process CPU time / wall"
                    + " time of the round, all threads (knitting worker, executor threads, JIT, GC)");
            raw.println("# common pool parallelism " + ForkJoinPool.getCommonPoolParallelism()
                    + ": CompletableFuture.supplyAsync runs on " + SupplyAsyncSide.executorNote());
            raw.println("# latencies: nanoTime before call to nanoTime after join/get; paced rounds measure from"
                    + " the intended start (coordinated-omission safe), caller parks then spins the last "
                    + Units.nanos(Pacer.SPIN_NANOS) + " before each start");
            ScenarioRunner runner = new ScenarioRunner(raw, System.err);
            for (Scenario s : scenarios) {
                System.err.println(s.id() + ": " + s.lines().getFirst().what());
                ScenarioResult result = runner.run(s);
                report.add(result);
                raw.print(Report.details(result));
                for (String e : Report.extras(result)) {
                    raw.println("   " + e);
                }
                for (String l : Report.lines(result)) {
                    both.println(l);
                    raw.println(l);
                }
                both.flush();
            }
            runner.shutdown();
            String warning = report.busyMachineWarning();
            if (warning != null) {
                both.println(warning);
                raw.println(warning);
            }
        }
        Files.writeString(dir.resolve("results.json"), report.json());
        Files.writeString(dir.resolve("results.md"), report.markdown());
        if (json) {
            stdout.print(report.json());
        }
        if (markdown) {
            stdout.println();
            stdout.print(report.markdown());
        }
        System.err.println("raw output: " + dir.toAbsolutePath());
        stdout.flush();
        // Abandoned runner threads or pools must not keep the JVM alive.
        System.exit(0);
    }

    private static PrintStream tee(PrintStream a, PrintStream b) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int c) {
                a.write(c);
                b.write(c);
            }

            @Override
            public void write(byte[] buf, int off, int len) {
                a.write(buf, off, len);
                b.write(buf, off, len);
            }

            @Override
            public void flush() {
                a.flush();
                b.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
