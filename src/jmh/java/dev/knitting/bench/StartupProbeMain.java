package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second host JVM for G10, started by {@link StartupSide} with a class path of jars only (a JDK
 * AOT cache cannot be made while a non-empty directory is on the class path, and a worker gets its
 * host's class path). Reads commands from stdin, one per line, tab-separated, and answers each with
 * one line starting with {@link #ANSWER} (other output, such as the JVM's AOT logging inherited
 * from a worker, must be skipped by the reader):
 * <ul>
 * <li>{@code start<TAB>jvmArg...}: times {@code Knitting.pool().runtime(PROCESS).threads(1)
 *     .jvmArgs(...).start(BenchTasks.class)} to the first answer of {@code INC}, then shuts the
 *     pool down (untimed); answers {@code ok <nanos>}</li>
 * <li>{@code train<TAB>aotFile<TAB>jvmArg...}: the same with {@code -XX:AOTCacheOutput=aotFile},
 *     a few more calls, then a graceful shutdown so the worker JVM writes the cache at exit;
 *     answers {@code ok <nanos>} (whole training time) once the file exists</li>
 * </ul>
 * Failures answer {@code error <text>}. Exits on end of input or when its parent is gone.
 */
public final class StartupProbeMain {
    /** Prefix of every answer line. */
    static final String ANSWER = "@@knitting-probe ";

    private StartupProbeMain() {
    }

    /** @param args none */
    public static void main(String[] args) throws Exception {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(75)));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            List<String> words = Arrays.asList(line.split("\t", -1));
            try {
                long nanos = switch (words.getFirst()) {
                    case "start" -> StartupSide.startToFirstAnswer(words.subList(1, words.size()).stream()
                            .filter(w -> !w.isEmpty()).toList());
                    case "train" -> train(Path.of(words.get(1)), words.subList(2, words.size()));
                    default -> throw new IllegalArgumentException("unknown command " + words.getFirst());
                };
                out.println(ANSWER + "ok " + nanos);
            } catch (Exception | Error e) {
                out.println(ANSWER + "error " + ScenarioRunner.describe(e));
            }
        }
        System.exit(0);
    }

    private static long train(Path aot, List<String> jvmArgs) throws Exception {
        long t0 = System.nanoTime();
        Files.deleteIfExists(aot);
        List<String> all = new ArrayList<>();
        all.add("-XX:AOTCacheOutput=" + aot);
        jvmArgs.stream().filter(a -> !a.isEmpty()).forEach(all::add);
        String[] args = all.toArray(String[]::new);
        Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).jvmArgs(args).start(BenchTasks.class);
        try {
            for (int i = 0; i < 100; i++) {
                pool.call(BenchTasks.INC, i & 127).join();
            }
        } finally {
            pool.shutdown().orTimeout(60, TimeUnit.SECONDS).join();
        }
        if (!Files.isRegularFile(aot) || Files.size(aot) == 0) {
            throw new IllegalStateException("the training run wrote no AOT cache " + aot);
        }
        return System.nanoTime() - t0;
    }
}
