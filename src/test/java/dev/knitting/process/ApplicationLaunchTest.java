package dev.knitting.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small application compiled at test time against Knitting's classes and run in its own JVM, once
 * as a named module on the module path and once on the class path: its process workers must start
 * the same way the application did, find its task class and answer.
 */
class ApplicationLaunchTest {
    private static final String TASKS = """
            package app;

            import dev.knitting.Task;

            public final class Tasks {
                public static final Task<Integer, Integer> SQUARE = Task.of(v -> v * v);
                public static final Task<Integer, Long> PID = Task.of(v -> ProcessHandle.current().pid());
                public static final Task<Integer, String> MODULE = Task.of(v -> String.valueOf(Tasks.class.getModule()));

                private Tasks() {
                }
            }
            """;
    private static final String MAIN = """
            package app;

            import dev.knitting.Knitting;
            import dev.knitting.Pool;
            import dev.knitting.WorkerRuntime;
            import java.util.List;
            import java.util.Set;
            import java.util.TreeSet;
            import java.util.stream.IntStream;

            public final class Main {
                private Main() {
                }

                public static void main(String[] args) {
                    try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2).start(Tasks.class)) {
                        List<Integer> squares = IntStream.range(0, 10).mapToObj(i -> pool.call(Tasks.SQUARE, i))
                                .map(c -> c.join()).toList();
                        System.out.println("squares " + squares);
                        Set<Long> pids = new TreeSet<>();
                        for (int i = 0; i < 4; i++) {
                            pids.add(pool.call(Tasks.PID, i).join());
                        }
                        System.out.println("workers " + pids.size() + " main-among-them "
                                + pids.contains(ProcessHandle.current().pid()));
                        System.out.println("host " + Main.class.getModule());
                        System.out.println("worker " + pool.call(Tasks.MODULE, 0).join());
                    }
                    System.out.println("closed");
                }
            }
            """;
    private static final String EXPECTED_SQUARES = "squares [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunProcessWorkersOfAModulePathApplication() throws Exception {
        Path knitting = knittingClasses();
        Path app = compile("modular", knitting, true);

        Result result = run(List.of(ProcessTestSupport.javaLauncher(), "--enable-native-access=dev.knitting",
                "--module-path", knitting + File.pathSeparator + app, "-m", "app/app.Main"));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).contains(EXPECTED_SQUARES, "workers 2 main-among-them false", "host module app",
                "worker module app",
                "closed");
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunProcessWorkersOfAClassPathApplication() throws Exception {
        Path knitting = knittingClasses();
        Path app = compile("classpath", knitting, false);

        Result result = run(List.of(ProcessTestSupport.javaLauncher(), "--enable-native-access=ALL-UNNAMED",
                "-cp", knitting + File.pathSeparator + app, "app.Main"));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).contains(EXPECTED_SQUARES, "workers 2 main-among-them false",
                "host unnamed module", "worker unnamed module",
                "closed");
    }

    /** @return the folder Knitting's main classes (and its module-info) were compiled to */
    private static Path knittingClasses() throws URISyntaxException {
        Path classes = Path.of(Knitting.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("module-info.class")).as("Knitting's module descriptor").exists();
        return classes;
    }

    private Path compile(String name, Path knitting, boolean modular) throws IOException {
        Path src = dir.resolve(name + "-src");
        Path out = dir.resolve(name + "-classes");
        Files.createDirectories(src.resolve("app"));
        Files.createDirectories(out);
        Files.writeString(src.resolve("app/Tasks.java"), TASKS);
        Files.writeString(src.resolve("app/Main.java"), MAIN);
        List<String> args = new ArrayList<>(List.of("--release", "22", "-d", out.toString()));
        if (modular) {
            Files.writeString(src.resolve("module-info.java"), "module app {\n    requires dev.knitting;\n"
                    + "    exports app;\n}\n");
            args.addAll(List.of("--module-path", knitting.toString(), src.resolve("module-info.java").toString()));
        } else {
            args.addAll(List.of("-cp", knitting.toString()));
        }
        args.addAll(List.of(src.resolve("app/Tasks.java").toString(), src.resolve("app/Main.java").toString()));
        Javac.compile(args);
        return out;
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Path out = dir.resolve("app.out");
        Path err = dir.resolve("app.err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("the application did not exit; stdout:\n" + ProcessTestSupport.read(out)
                        + "\nstderr:\n" + ProcessTestSupport.read(err));
            }
            return new Result(process.exitValue(), ProcessTestSupport.read(out), ProcessTestSupport.read(err));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }
}
