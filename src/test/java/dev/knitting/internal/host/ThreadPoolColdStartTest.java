package dev.knitting.internal.host;

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
 * What a cold JVM pays for a THREAD pool: both sides of a thread lane live in one JVM, so the pool
 * links no native call (no FFM linker: hundreds of JDK classes, the largest part of a cold start),
 * and a JVM that never records loads no JFR event class. Read from the class-loading log of a
 * fresh JVM that has native access and {@code jdk.jfr}, as a user's program does.
 */
class ThreadPoolColdStartTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void aThreadPoolsFirstCallLoadsNeitherTheForeignLinkerNorAnyJfrEventClass() throws IOException,
            InterruptedException {
        List<String> loaded = coldStartClassLog();
        assertThat(loaded)
                .noneMatch(l -> l.contains("java.lang.foreign.Linker "))
                .noneMatch(l -> l.contains("jdk.internal.foreign.abi.DowncallLinker "))
                .noneMatch(l -> l.contains("dev.knitting.internal.os.LinuxLibc"))
                .noneMatch(l -> l.contains("jdk.jfr.Event "))
                .noneMatch(l -> l.contains("dev.knitting.internal.observe.") && l.contains("Event ")
                        && !l.contains("PoolEvents"));
    }

    /**
     * Each lambda's first use spins a class in a cold JVM (LambdaMetafactory), each shape of string
     * concatenation another (StringConcatFactory, unless compiled inline), and {@code
     * ProcessHandle.current()} sets up the JDK's process reaper: together a large part of a cold
     * THREAD start. Knitting's start and first call use none of them; the test's own tasks are
     * lambdas, so {@code dev.knitting.testtasks} may.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void aThreadPoolsFirstCallSpinsNoLambdaOrConcatenationClassAndSetsUpNoProcessReaper() throws IOException,
            InterruptedException {
        List<String> loaded = coldStartClassLog();
        assertThat(loaded)
                .noneMatch(l -> l.contains("$$Lambda") && l.contains(" dev.knitting.")
                        && !l.contains(" dev.knitting.testtasks."))
                .noneMatch(l -> l.contains("$$StringConcat"))
                .noneMatch(l -> l.contains("java.lang.ProcessHandleImpl "));
    }

    /** @return the class-loading log of a fresh JVM that ran {@link ThreadPoolColdChild} */
    private List<String> coldStartClassLog() throws IOException, InterruptedException {
        return coldChildClassLog(dir, 100);
    }

    /**
     * Runs {@link ThreadPoolColdChild} in a fresh JVM with native access, as a user's program runs.
     *
     * @param dir where the child's output and class-loading log go
     * @param args the child's arguments ({@code PROCESS} for a process pool)
     * @return the child's class-loading log, once it answered and exited
     */
    static List<String> coldChildClassLog(Path dir, int timeoutSeconds, String... args) throws IOException,
            InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Path classes = dir.resolve("classes.log");
        List<String> command = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info:file=" + classes, "-cp", System.getProperty("java.class.path"),
                ThreadPoolColdChild.class.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(child.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
            String stdout = Files.readString(out);
            assertThat(child.exitValue()).as("exit status; stdout:%n%s%nstderr:%n%s", stdout, Files.readString(err))
                    .isZero();
            assertThat(stdout).contains("answer: 144");

            List<String> loaded = Files.readAllLines(classes);
            assertThat(loaded).as("the child's class loading log").anyMatch(l -> l.contains(HostLane.class.getName()));
            return loaded;
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }
}
