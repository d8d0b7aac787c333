package dev.knitting.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's quick start as a user pastes it: one file, its class in the unnamed package, a
 * record of that package travelling as a payload. Compiled, it runs on both worker kinds; run by
 * the source-file launcher or in jshell, whose classes exist only in memory, a PROCESS pool is
 * refused at {@code start} with a message saying what to do, while THREAD pools work.
 */
class SingleFileProgramTest {
    private static final String PROGRAM = """
            import dev.knitting.Knitting;
            import dev.knitting.KnittingException;
            import dev.knitting.Pool;
            import dev.knitting.Task;
            import dev.knitting.WorkerRuntime;

            public class Tasks {
                public record Point(int x, int y) {
                }

                public static final Task<Integer, Integer> SQUARE = Task.of(v -> v * v);
                public static final Task<Point, Point> FLIP = Task.of(p -> new Point(p.y(), p.x()));

                public static int cube(int v) {
                    return v * v * v;
                }

                public static void main(String[] args) {
                    WorkerRuntime runtime = WorkerRuntime.valueOf(args[0]);
                    try (Pool pool = Knitting.pool().runtime(runtime).threads(2).start(Tasks.class)) {
                        System.out.println("square " + pool.call(SQUARE, 7).join());
                        System.out.println("cube " + pool.call(Tasks::cube, 3).join());
                        System.out.println("flip " + pool.call(FLIP, new Point(1, 2)).join());
                    } catch (KnittingException e) {
                        System.out.println("refused: " + e.getMessage());
                    }
                }
            }
            """;
    private static final List<String> ANSWERS = List.of("square 49", "cube 27", "flip Point[x=2, y=1]");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"THREAD", "PROCESS"})
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunACompiledProgramWhoseTasksAreInTheUnnamedPackage(String runtime) throws Exception {
        Path knitting = ChildApplication.knittingClasses();
        Path classes = dir.resolve("classes");
        List<String> args = new ArrayList<>(List.of("--release", "22", "-d", classes.toString(), "-cp",
                knitting.toString()));
        args.addAll(ChildApplication.write(dir.resolve("src"), Map.of("Tasks.java", PROGRAM)));
        Javac.compile(args);

        ChildApplication.Result result = ChildApplication.run(dir, List.of(ProcessTestSupport.javaLauncher(),
                "--enable-native-access=ALL-UNNAMED", "-cp", knitting + ":" + classes, "Tasks", runtime));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).as("stderr:%n%s", result.stderr()).contains(ANSWERS).doesNotContain("refused");
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunThreadWorkersUnderTheSourceFileLauncher() throws Exception {
        ChildApplication.Result result = runSourceFile("THREAD", "-cp", ChildApplication.knittingClasses().toString());

        assertThat(result.stdout()).as("stderr:%n%s", result.stderr()).contains(ANSWERS).doesNotContain("refused");
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRefuseProcessWorkersUnderTheSourceFileLauncherSayingWhatToDo() throws Exception {
        ChildApplication.Result result = runSourceFile("PROCESS", "-cp",
                ChildApplication.knittingClasses().toString());

        assertThat(result.stdout()).as("stderr:%n%s", result.stderr())
                .contains("refused: class Tasks (loaded by com.sun.tools.javac.launcher.")
                .contains("compiled in memory by the source-file launcher (java Tasks.java)")
                .contains("compile the program first", "or use WorkerRuntime.THREAD")
                .doesNotContain("square");
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRefuseProcessWorkersUnderTheSourceFileLauncherWithKnittingOnTheModulePath() throws Exception {
        ChildApplication.Result result = runSourceFile("PROCESS", "--module-path",
                ChildApplication.knittingClasses().toString(), "--add-modules", "dev.knitting");

        assertThat(result.stdout()).as("stderr:%n%s", result.stderr())
                .contains("refused: class Tasks", "source-file launcher", "or use WorkerRuntime.THREAD")
                .doesNotContain("square");
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRefuseProcessWorkersInJshellSayingWhatToDo() throws Exception {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        if (!Files.isExecutable(jshell)) {
            throw new AssertionError("this JDK has no jshell at " + jshell);
        }
        Path script = dir.resolve("tasks.jsh");
        Files.writeString(script, PROGRAM.replace("public static void main(String[] args)",
                "public static void run(String... args)") + "\nTasks.run(\"PROCESS\");\nTasks.run(\"THREAD\");\n/exit\n");

        ChildApplication.Result result = ChildApplication.run(dir, List.of(jshell.toString(), "--class-path",
                ChildApplication.knittingClasses().toString(), "-R--enable-native-access=ALL-UNNAMED",
                script.toString()));

        assertThat(result.stdout()).as("stderr:%n%s", result.stderr())
                .contains("refused: class ", "was defined by jshell", "or use WorkerRuntime.THREAD")
                .contains(ANSWERS);
    }

    private ChildApplication.Result runSourceFile(String runtime, String... knittingOptions) throws Exception {
        Path source = Path.of(ChildApplication.write(dir, Map.of("Tasks.java", PROGRAM)).getFirst());
        List<String> command = new ArrayList<>(List.of(ProcessTestSupport.javaLauncher(),
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(knittingOptions));
        command.addAll(List.of(source.toString(), runtime));
        return ChildApplication.run(dir, command);
    }
}
