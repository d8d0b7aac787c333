package dev.knitting.bench.chaos;

import dev.knitting.bench.ChildJvms;
import dev.knitting.bench.Machine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The containment suite behind {@code scripts/chaos}: G12 (kill -9 of hosts and workers), G13 (a
 * hostile worker) and G14 (soak with kills), one {@link ChaosLine} per figure on standard output
 * after a {@code #} header line; progress on standard error; per-round details in
 * {@code <out>/<timestamp>-<mode>/raw.txt} (also {@code <out>/latest}).
 *
 * <p>Every scenario runs on its own thread under a hard wall-clock limit: one that overruns is
 * reported as {@code knitting=error(hung...)} with a thread dump in the raw file, and the suite
 * carries on; {@code System.exit} at the end and {@link ChildJvms}' hook reap whatever it left.
 *
 * <p>Options: {@code --quick} (G12 10+10 rounds, G13 2 s, G14 10^6 calls with a kill every ~2 s;
 * the full mode: 100+100 rounds, 10 s, 10^8 calls with a kill every ~10 s), {@code --only G12,G14},
 * {@code --out dir} [chaos-results].
 */
public final class ChaosSuite {
    private ChaosSuite() {
    }

    /** Runs the suite; exits 0 when it ran, whatever the figures say. */
    public static void main(String[] args) throws IOException {
        boolean quick = false;
        Set<String> only = Set.of("G12", "G13", "G14");
        Path outRoot = Path.of("chaos-results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only = Set.of(args[++i].toUpperCase(java.util.Locale.ROOT).split(","));
                case "--out" -> outRoot = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: ChaosSuite [--quick] [--only G12,G13,G14] [--out dir]");
                    System.exit(2);
                }
            }
        }
        ChildJvms.ensureHook();
        String mode = quick ? "quick" : "full";
        Path dir = outRoot.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + mode);
        Files.createDirectories(dir);
        Path latest = outRoot.resolve("latest");
        Files.deleteIfExists(latest);
        try {
            Files.createSymbolicLink(latest, dir.getFileName());
        } catch (IOException | UnsupportedOperationException e) {
            // the timestamped folder is enough
        }
        try (PrintStream raw = new PrintStream(Files.newOutputStream(dir.resolve("raw.txt")), true,
                StandardCharsets.UTF_8)) {
            String header = "# knitting chaos (" + mode + ", commit " + System.getProperty("bench.commit", "unknown")
                    + ") | " + Machine.header();
            System.out.println(header);
            raw.println(header);
            raw.println("# load average at start: " + Machine.loadAverage() + "; max heap "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + "MB");
            int rounds = quick ? 10 : 100;
            if (only.contains("G12")) {
                HostKillRounds hosts = new HostKillRounds(rounds, dir, raw);
                emit(raw, run("G12 host kills", 60 + rounds * 15L, raw, () -> {
                    hosts.run();
                    return hosts.lines();
                }), "G12", "kill -9 host mid-call x" + rounds + ", host death to last worker gone max", "100ms");
                WorkerKillRounds workers = new WorkerKillRounds(rounds, raw);
                emit(raw, run("G12 worker kills", 60 + rounds * 10L, raw, () -> {
                    workers.run();
                    return workers.lines();
                }), "G12", "kill -9 worker mid-call x" + rounds + ", worker death to pending calls failed max",
                        "100ms");
            }
            if (only.contains("G13")) {
                long millis = quick ? 2_000 : 10_000;
                HostileWorkerScenario hostile = new HostileWorkerScenario(millis, raw);
                emit(raw, run("G13 hostile worker", millis / 1000 + 120, raw, () -> {
                    hostile.run();
                    return hostile.lines();
                }), "G13", "hostile worker " + millis / 1000 + "s, calls not ended within own timeout+100ms", "0");
            }
            if (only.contains("G14")) {
                long calls = quick ? 1_000_000 : 100_000_000;
                SoakScenario soak = new SoakScenario(calls, quick ? 2_000 : 10_000, raw);
                emit(raw, run("G14 soak", quick ? 900 : 6 * 3600, raw, () -> {
                    soak.run();
                    return soak.lines();
                }), "G14", "soak " + calls + " calls, calls ended exactly once", "all");
            }
        }
        System.err.println("raw output: " + dir.toAbsolutePath());
        System.out.flush();
        System.exit(0);
    }

    /** A scenario's lines, or null with the reason in {@code failure}. */
    private record Outcome(List<ChaosLine> lines, String failure) {
    }

    private static Outcome run(String name, long limitSeconds, PrintStream raw, Callable<List<ChaosLine>> body) {
        System.err.println(name + " (limit " + limitSeconds + " s)");
        List<ChaosLine> result = new ArrayList<>();
        String[] failure = {null};
        Thread thread = Thread.ofPlatform().daemon().name("chaos-" + name.replace(' ', '-')).start(() -> {
            try {
                result.addAll(body.call());
            } catch (Exception | Error e) {
                failure[0] = e.toString();
                e.printStackTrace(raw);
            }
        });
        try {
            thread.join(TimeUnit.SECONDS.toMillis(limitSeconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            raw.println("# " + name + " still running after " + limitSeconds + " s: thread dump");
            Thread.getAllStackTraces().forEach((t, stack) -> {
                raw.println("\"" + t.getName() + "\" " + t.getState());
                for (StackTraceElement frame : stack) {
                    raw.println("    at " + frame);
                }
            });
            return new Outcome(null, "hung: still running after " + limitSeconds + " s");
        }
        return failure[0] != null ? new Outcome(null, failure[0]) : new Outcome(result, null);
    }

    private static void emit(PrintStream raw, Outcome outcome, String id, String what, String goal) {
        List<ChaosLine> lines = outcome.lines() != null ? outcome.lines()
                : List.of(ChaosLine.error(id, what, goal, outcome.failure()));
        for (ChaosLine line : lines) {
            System.out.println(line);
            raw.println(line);
        }
        System.out.flush();
    }
}
