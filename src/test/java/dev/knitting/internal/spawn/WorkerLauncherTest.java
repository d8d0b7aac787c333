package dev.knitting.internal.spawn;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.os.MappedRegion;
import dev.knitting.internal.os.SharedMemory;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Starts real worker JVMs (test mains of this package) through {@link WorkerLauncher}. */
class WorkerLauncherTest {
    private static final long LANE_BYTES = 64 * 1024;
    private final List<WorkerProcess> started = new ArrayList<>();

    @AfterEach
    void stopWhatIsLeft() throws InterruptedException {
        for (WorkerProcess worker : started) {
            if (worker.isAlive()) {
                worker.kill();
            }
            worker.process().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(180)
    void shouldHandTheLaneToTheChildAsFdZero() throws Exception {
        assumeThat(SharedMemory.supported()).isTrue();
        try (MappedRegion lane = SharedMemory.createAnonymous("knitting-spawn-test", LANE_BYTES)) {
            WorkerProcess worker = start(launcher(LaneChild.class),
                    SpawnFixtures.boot(SharedMemoryMode.INHERIT, "", LANE_BYTES),
                    lane);

            ExitStatus status = awaitExit(worker);

            assertThat(status).as("stderr: %s", worker.stderr().tail()).isEqualTo(ExitStatus.of(0, false));
            assertThat(lane.segment().get(JAVA_INT, LaneChild.VALUE_OFFSET)).isEqualTo(LaneChild.MAGIC);
            assertThat(lane.segment().get(JAVA_LONG, LaneChild.PID_OFFSET)).isEqualTo(worker.pid());
            assertThat(stdout(worker)).contains("mapped INHERIT module=null")
                    .contains("KNITTING_PROCESS_WORKER=1").contains("KNITTING_POOL_DEPTH=1");
        }
    }

    @Test
    @Timeout(180)
    void shouldLetANamedModeChildOpenTheLaneByName() throws Exception {
        assumeThat(SharedMemory.supported()).isTrue();
        String name = "knitting-test-" + UUID.randomUUID();
        try (MappedRegion lane = SharedMemory.createNamed(name, LANE_BYTES)) {
            try {
                WorkerProcess worker = start(launcher(LaneChild.class),
                        SpawnFixtures.boot(SharedMemoryMode.NAMED, name, LANE_BYTES), null);

                ExitStatus status = awaitExit(worker);

                assertThat(status).as("stderr: %s", worker.stderr().tail()).isEqualTo(ExitStatus.of(0, false));
                assertThat(lane.segment().get(JAVA_INT, LaneChild.VALUE_OFFSET)).isEqualTo(LaneChild.MAGIC);
                assertThat(stdout(worker)).contains("mapped NAMED");
            } finally {
                SharedMemory.unlink(name);
            }
        }
    }

    static Stream<Arguments> prefixes() {
        List<Arguments> prefixes = new ArrayList<>();
        prefixes.add(Arguments.of(List.of("env")));
        if (Files.isExecutable(Path.of("/usr/bin/taskset")) || Files.isExecutable(Path.of("/bin/taskset"))) {
            prefixes.add(Arguments.of(List.of("taskset", "-c", "0")));
        }
        return prefixes.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("prefixes")
    @Timeout(180)
    void shouldStillWorkBehindACommandPrefix(List<String> prefix) throws Exception {
        assumeThat(SharedMemory.supported()).isTrue();
        try (MappedRegion lane = SharedMemory.createAnonymous("knitting-spawn-prefix", LANE_BYTES)) {
            WorkerLauncher launcher = new WorkerLauncher(new WorkerCommand(LaneChild.class.getName())
                    .withCommandPrefix(prefix)).withQuiet(true).withStdout(Redirect.PIPE);
            WorkerProcess worker = start(launcher, SpawnFixtures.boot(SharedMemoryMode.INHERIT, "", LANE_BYTES), lane);

            assertThat(awaitExit(worker)).as("stderr: %s", worker.stderr().tail()).isEqualTo(ExitStatus.of(0, false));
            assertThat(lane.segment().get(JAVA_INT, LaneChild.VALUE_OFFSET)).isEqualTo(LaneChild.MAGIC);
            assertThat(worker.process().info().commandLine()).isNotEqualTo(""); // still ours to ask
        }
    }

    @Test
    @Timeout(180)
    void shouldGiveTheChildOnlyTheBaseEnvironmentPlusKnittingsVariables() throws Exception {
        assumeThat(SharedMemory.supported()).isTrue();
        try (MappedRegion lane = SharedMemory.createAnonymous("knitting-spawn-env", LANE_BYTES)) {
            WorkerProcess worker = start(launcher(LaneChild.class).withBaseEnvironment(Map.of("ONLY", "this")),
                    SpawnFixtures.boot(SharedMemoryMode.INHERIT, "", LANE_BYTES), lane);

            assertThat(awaitExit(worker)).as("stderr: %s", worker.stderr().tail()).isEqualTo(ExitStatus.of(0, false));
            assertThat(stdout(worker)).contains("ONLY=this HOME=null").contains("KNITTING_PROCESS_WORKER=1");
        }
    }

    @Test
    @Timeout(180)
    void shouldKeepTheStderrTailOfAChildThatExitsWithThree() throws Exception {
        WorkerProcess worker = start(launcher(NoisyChild.class).withTail(10, 4096),
                SpawnFixtures.boot(SharedMemoryMode.NAMED, "unused", 4096), null);

        ExitStatus status = awaitExit(worker);

        assertThat(status.code()).isEqualTo(3);
        assertThat(status.signaled()).isFalse();
        assertThat(status.stopRequested()).isFalse();
        assertThat(worker.stderr().tail()).startsWith("(" + (NoisyChild.LINES - 10) + " earlier lines dropped)\n")
                .contains("noise " + (NoisyChild.LINES - 10) + "\n")
                .doesNotContain("noise " + (NoisyChild.LINES - 11) + "\n")
                .endsWith("noise " + (NoisyChild.LINES - 1) + "\n");
    }

    @Test
    @Timeout(180)
    void shouldReportTheSignalOfAKilledChild() throws Exception {
        WorkerProcess worker = start(launcher(SleepyChild.class),
                SpawnFixtures.boot(SharedMemoryMode.NAMED, "unused", 4096),
                null);
        assertThat(worker.process().inputReader().readLine()).as("stderr: %s", worker.stderr().tail())
                .isEqualTo("ready " + worker.pid());

        worker.kill();
        ExitStatus status = awaitExit(worker);

        assertThat(status.exitValue()).isEqualTo(137);
        assertThat(status.signal()).isEqualTo(9);
        assertThat(status.stopRequested()).isTrue();
        assertThat(status.describe()).contains("SIGKILL");
    }

    @Test
    @Timeout(180)
    void shouldReportSigtermOfATerminatedChild() throws Exception {
        WorkerProcess worker = start(launcher(SleepyChild.class),
                SpawnFixtures.boot(SharedMemoryMode.NAMED, "unused", 4096),
                null);
        assertThat(worker.process().inputReader().readLine()).startsWith("ready");

        worker.terminate();

        assertThat(awaitExit(worker)).isEqualTo(ExitStatus.of(143, true));
    }

    @Test
    @Timeout(180)
    void shouldStartAWorkerOnTheModulePathAsTheKnittingModule() throws Exception {
        assumeThat(SharedMemory.supported()).isTrue();
        Path classes = Path.of(BootData.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(LaneChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assumeThat(classes.resolve("module-info.class")).exists();
        HostLaunch modular = new HostLaunch(true, "dev.knitting", "", classes.toString(), List.of());
        WorkerCommand command = new WorkerCommand(LaneChild.class.getName()).withHost(modular)
                .withJvmArgs(List.of("--patch-module", "dev.knitting=" + testClasses));
        assertThat(command.argv()).contains("--enable-native-access=dev.knitting", "-m");

        try (MappedRegion lane = SharedMemory.createAnonymous("knitting-spawn-modular", LANE_BYTES)) {
            WorkerProcess worker = start(new WorkerLauncher(command).withQuiet(true).withStdout(Redirect.PIPE),
                    SpawnFixtures.boot(SharedMemoryMode.INHERIT, "", LANE_BYTES), lane);

            assertThat(awaitExit(worker)).as("stderr: %s", worker.stderr().tail()).isEqualTo(ExitStatus.of(0, false));
            assertThat(stdout(worker)).contains("mapped INHERIT module=dev.knitting");
            assertThat(worker.stderr().tail()).doesNotContain("WARNING");
        }
    }

    @Test
    @Timeout(60)
    void shouldFailToStartWithAMissingLauncher() {
        WorkerLauncher launcher = new WorkerLauncher(new WorkerCommand(LaneChild.class.getName())
                .withJavaLauncher("/nonexistent/bin/java"));

        assertThatThrownBy(() -> launcher.start("w", SpawnFixtures.boot(SharedMemoryMode.NAMED, "unused", 4096), null))
                .isInstanceOf(IOException.class).hasMessageContaining("/nonexistent/bin/java");
    }

    @Test
    @Timeout(60)
    void shouldRequireTheLaneInInheritMode() {
        WorkerLauncher launcher = new WorkerLauncher(new WorkerCommand(LaneChild.class.getName()));

        assertThatThrownBy(() -> launcher.start("w", SpawnFixtures.boot(SharedMemoryMode.INHERIT, "", 4096), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("fd 0");
    }

    private static WorkerLauncher launcher(Class<?> main) {
        return new WorkerLauncher(new WorkerCommand(main.getName())).withQuiet(true).withStdout(Redirect.PIPE);
    }

    private WorkerProcess start(WorkerLauncher launcher, BootData boot, MappedRegion lane) throws IOException {
        WorkerProcess worker = launcher.start("test-worker", boot, lane);
        started.add(worker);
        return worker;
    }

    private static ExitStatus awaitExit(WorkerProcess worker) throws Exception {
        return worker.onExit().get(150, TimeUnit.SECONDS);
    }

    private static String stdout(WorkerProcess worker) throws IOException {
        return new String(worker.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
