package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.gone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.SharedMemoryMode;
import dev.knitting.process.fixtures.HostMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test JVM -> host JVM ({@link HostMain}, a two-worker process pool) -> two worker JVMs. The host
 * is killed with SIGKILL, so nothing of it runs any more: its workers must notice and exit by
 * themselves, and no shared-memory name of the pool may be left in /dev/shm.
 */
class HostDeathTest {
    private static final int ROUNDS = 3;
    /** The specification says "within a second"; this leaves room for a loaded machine. */
    private static final Duration ORPHAN_EXIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SharedMemoryMode.class)
    @Timeout(value = 240, threadMode = SEPARATE_THREAD)
    void shouldMakeTheWorkersOfAKilledHostExitAndLeaveNoSharedMemoryName(SharedMemoryMode mode) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            killHostAndCheck(mode, round);
        }
    }

    private void killHostAndCheck(SharedMemoryMode mode, int round) throws Exception {
        String prefix = ProcessTestSupport.uniquePrefix("kh");
        Path err = dir.resolve(mode + "-" + round + ".err");
        List<String> command = List.of(ProcessTestSupport.javaLauncher(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), HostMain.class.getName(), mode.name(), prefix);
        Process host = new ProcessBuilder(command).redirectError(err.toFile()).start();
        List<Long> workers = new ArrayList<>();
        try {
            String line = firstLine(host);
            assertThat(line).as("round %d, host stderr: %s", round, ProcessTestSupport.read(err))
                    .startsWith("workers ");
            Arrays.stream(line.substring("workers ".length()).split(" ")).map(Long::valueOf).forEach(workers::add);
            assertThat(workers).hasSize(2).allSatisfy(pid -> assertThat(gone(pid)).isFalse());
            assertThat(ProcessTestSupport.shmNames(prefix)).as("names while the pool runs").isEmpty();
            if (mode == SharedMemoryMode.INHERIT) {
                for (long pid : workers) {
                    assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "0")).toString())
                            .as("fd 0 of worker %d", pid).startsWith("/memfd:");
                }
            }

            host.destroyForcibly();
            assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(host.exitValue()).isEqualTo(137);

            await("the orphaned workers " + workers + " to exit", ORPHAN_EXIT,
                    () -> workers.stream().allMatch(ProcessTestSupport::gone), () -> "round " + round + ", alive: "
                            + workers.stream().filter(pid -> !gone(pid)).toList());
            assertThat(ProcessTestSupport.shmNames(prefix)).as("names after the host died").isEmpty();
        } finally {
            stop(host);
            workers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private static String firstLine(Process host) throws IOException {
        BufferedReader out = host.inputReader();
        return out.readLine();
    }

    /** Asks for a graceful exit (end of stdin), waits, then kills. */
    private static void stop(Process host) throws InterruptedException {
        try {
            host.getOutputStream().close();
        } catch (IOException alreadyGone) {
            // the host is dead already
        }
        if (!host.waitFor(30, TimeUnit.SECONDS)) {
            host.destroyForcibly();
            host.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
