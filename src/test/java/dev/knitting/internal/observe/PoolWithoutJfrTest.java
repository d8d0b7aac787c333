package dev.knitting.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdk.jfr} is only a static requirement: a JVM without it (here {@code --limit-modules
 * java.base}, as a jlink image without it) runs pools, logs their lines, and never loads a class of
 * {@code jdk.jfr} or an event class of its own. The test JVM itself has JFR: see {@link
 * #shouldPickTheJfrSinkWhereTheBootLayerHasJdkJfr}.
 */
class PoolWithoutJfrTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRunAPoolWithoutLoadingAnyJfrClassWhenTheJvmHasNoJdkJfr() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Path classes = dir.resolve("classes.log");
        Process child = new ProcessBuilder(List.of(java, "--limit-modules", "java.base",
                "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info:file=" + classes, "-cp",
                System.getProperty("java.class.path"), NoJfrChild.class.getName()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(child.waitFor(100, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
            String stdout = Files.readString(out);
            String stderr = Files.readString(err);
            assertThat(child.exitValue()).as("exit status; stdout:%n%s%nstderr:%n%s", stdout, stderr).isZero();

            assertThat(stdout).contains("sink: NoEventSink", "reason: no JFR events: module jdk.jfr is not in the boot layer",
                    "sum: 328350");
            assertThat(stderr).as("lifecycle lines through the simple console logger")
                    .containsPattern("INFO: \\[knitting-\\d+] started: 2 THREAD workers");
            List<String> loaded = Files.readAllLines(classes);
            assertThat(loaded).as("the child's class loading log").anyMatch(l -> l.contains(PoolEvents.class.getName()));
            assertThat(loaded).noneMatch(l -> l.contains("jdk.jfr."))
                    .noneMatch(l -> l.contains("dev.knitting.internal.observe.") && l.contains("Event ")
                            && !l.contains("PoolEvents") && !l.contains("NoEventSink"))
                    .noneMatch(l -> l.contains("JfrEventSink"));
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void shouldPickTheJfrSinkWhereTheBootLayerHasJdkJfr() {
        assertThat(ModuleLayer.boot().findModule("jdk.jfr")).isPresent();
        assertThat(EventSinks.SINK).isInstanceOf(JfrEventSink.class);
        assertThat(EventSinks.REASON).startsWith("JFR events:");
    }
}
