package dev.knitting.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        Path knitting = ChildApplication.knittingClasses();
        Path app = compile("modular", knitting, true);

        ChildApplication.Result result = ChildApplication.run(dir, List.of(ProcessTestSupport.javaLauncher(),
                "--enable-native-access=dev.knitting", "--module-path", knitting + File.pathSeparator + app, "-m",
                "app/app.Main"));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).contains(EXPECTED_SQUARES, "workers 2 main-among-them false", "host module app",
                "worker module app",
                "closed");
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunProcessWorkersOfAClassPathApplication() throws Exception {
        Path knitting = ChildApplication.knittingClasses();
        Path app = compile("classpath", knitting, false);

        ChildApplication.Result result = ChildApplication.run(dir, List.of(ProcessTestSupport.javaLauncher(),
                "--enable-native-access=ALL-UNNAMED", "-cp", knitting + File.pathSeparator + app, "app.Main"));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).contains(EXPECTED_SQUARES, "workers 2 main-among-them false",
                "host unnamed module", "worker unnamed module",
                "closed");
    }

    /**
     * As under {@code mvn exec:java}: the JVM's class path holds only a launcher, which loads
     * Knitting and the application from a {@code URLClassLoader}. Workers must find both.
     */
    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunProcessWorkersWhenKnittingAndTasksComeFromAUrlClassLoader() throws Exception {
        Path knitting = ChildApplication.knittingClasses();
        Path app = compile("loaded", knitting, false);
        Path launcher = compileLauncher();

        ChildApplication.Result result = ChildApplication.run(dir, List.of(ProcessTestSupport.javaLauncher(),
                "--enable-native-access=ALL-UNNAMED", "-cp", launcher.toString(), "Launch", knitting.toString(),
                app.toString()));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).contains(EXPECTED_SQUARES, "workers 2 main-among-them false", "closed");
    }

    /** Knitting on the module path, the application's tasks from a {@code URLClassLoader} (a plugin host). */
    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunProcessWorkersOfAModularHostWhoseTasksComeFromAUrlClassLoader() throws Exception {
        Path knitting = ChildApplication.knittingClasses();
        Path app = compile("plugin", knitting, false);
        Path launcher = compileLauncher();

        ChildApplication.Result result = ChildApplication.run(dir, List.of(ProcessTestSupport.javaLauncher(),
                "--enable-native-access=dev.knitting", "--module-path", knitting.toString(), "--add-modules",
                "dev.knitting", "-cp", launcher.toString(), "Launch", app.toString()));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).contains(EXPECTED_SQUARES, "workers 2 main-among-them false", "closed");
    }

    /** {@code java -jar app.jar}: the class path is the jar, whose manifest names Knitting's jar. */
    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunProcessWorkersOfAnExecutableJarWhoseManifestNamesItsDependencies() throws Exception {
        Path knitting = ChildApplication.knittingClasses();
        Path app = compile("jar", knitting, false);
        Path lib = Files.createDirectories(dir.resolve("dist/lib"));
        ChildApplication.jar(lib.resolve("knitting.jar"), knitting, Map.of());
        Path jar = ChildApplication.jar(dir.resolve("dist/app.jar"), app,
                Map.of("Main-Class", "app.Main", "Class-Path", "lib/knitting.jar"));

        ChildApplication.Result result = ChildApplication.run(dir, List.of(ProcessTestSupport.javaLauncher(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).contains(EXPECTED_SQUARES, "workers 2 main-among-them false", "closed");
    }

    /** A launcher on the class path alone: loads its arguments (folders) in a URLClassLoader and runs app.Main. */
    private Path compileLauncher() throws IOException {
        Path out = dir.resolve("launcher-classes");
        List<String> sources = ChildApplication.write(dir.resolve("launcher-src"), Map.of("Launch.java", """
                import java.net.URL;
                import java.net.URLClassLoader;
                import java.nio.file.Path;

                public final class Launch {
                    public static void main(String[] args) throws Exception {
                        URL[] urls = new URL[args.length];
                        for (int i = 0; i < args.length; i++) {
                            urls[i] = Path.of(args[i]).toUri().toURL();
                        }
                        try (URLClassLoader loader = new URLClassLoader("project", urls,
                                ClassLoader.getSystemClassLoader())) {
                            loader.loadClass("app.Main").getMethod("main", String[].class)
                                    .invoke(null, (Object) new String[0]);
                        }
                    }
                }
                """));
        List<String> args = new ArrayList<>(List.of("--release", "22", "-d", out.toString()));
        args.addAll(sources);
        Javac.compile(args);
        return out;
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
}
