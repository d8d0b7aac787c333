package dev.knitting.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.SharedMemoryMode;
import dev.knitting.TaskCall;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.CrashTasks;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Process-worker launch options end to end: NAMED shared memory and command prefixes. */
class LaunchOptionsTest {
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldServeCallsInNamedModeWithoutAnyNameLeftInDevShm() {
        String prefix = ProcessTestSupport.uniquePrefix("kn");
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2)
                .sharedMemory(SharedMemoryMode.NAMED).sharedMemoryNamePrefix(prefix).start(CrashTasks.class)) {
            assertThat(ProcessTestSupport.shmNames(prefix)).as("names once the workers are ready").isEmpty();
            List<TaskCall<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                calls.add(pool.call(CrashTasks.SQUARE, i));
            }
            for (int i = 0; i < calls.size(); i++) {
                assertThat(calls.get(i).join()).isEqualTo(i * i);
            }
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                pids.add(pool.call(CrashTasks.PID, i).join());
            }
            assertThat(pids).hasSize(2).doesNotContain(ProcessHandle.current().pid());
            for (long pid : pids) {
                assertThat(ProcessTestSupport.read(Path.of("/proc", Long.toString(pid), "maps")))
                        .as("mappings of worker %d", pid).contains("/dev/shm/" + prefix + "_").contains("(deleted)");
            }
            assertThat(ProcessTestSupport.shmNames(prefix)).as("names while the pool runs").isEmpty();
        }
        assertThat(ProcessTestSupport.shmNames(prefix)).as("names after close").isEmpty();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldStartWorkersThroughEnvAsCommandPrefix() {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2)
                .commandPrefix("env", "KNITTING_PREFIX_MARK=through-env").start(CrashTasks.class)) {
            for (int i = 0; i < 4; i++) {
                assertThat(pool.call(CrashTasks.ENV, "KNITTING_PREFIX_MARK").join()).isEqualTo("through-env");
            }
            assertThat(pool.call(CrashTasks.SQUARE, 9).join()).isEqualTo(81);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldStartWorkersPinnedToOneCpuThroughTaskset() {
        Optional<Path> taskset = onPath("taskset");
        assumeThat(taskset).as("taskset on the PATH").isPresent();
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2)
                .commandPrefix("taskset", "-c", "0").start(CrashTasks.class)) {
            for (int i = 0; i < 4; i++) {
                assertThat(pool.call(CrashTasks.CPUS, i).join()).as("CPUs a pinned worker sees").isEqualTo(1);
            }
            assertThat(pool.call(CrashTasks.SQUARE, 7).join()).isEqualTo(49);
        }
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, command)).filter(Files::isExecutable)
                .findFirst();
    }
}
