package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.gone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.KnittingException;
import dev.knitting.Permission;
import dev.knitting.Pool;
import dev.knitting.PoolBuilder;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.CrashTasks;
import dev.knitting.process.fixtures.NestingTasks;
import dev.knitting.process.fixtures.VariantTasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process workers that never become ready: {@code start} must throw a {@link KnittingException}
 * that says why (never hang), and leave no worker process behind.
 */
class WorkerBootFailureTest {
    @TempDir
    Path dir;

    private Set<Long> workersBefore;

    @BeforeEach
    void noteRunningWorkers() {
        workersBefore = pids(ProcessTestSupport.workerDescendants());
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void noWorkerIsLeftBehind() {
        await("every worker of the failed start to be gone", () -> newWorkers().isEmpty(), this::newWorkers);
    }

    private Set<Long> newWorkers() {
        Set<Long> now = pids(ProcessTestSupport.workerDescendants());
        now.removeAll(workersBefore);
        return now;
    }

    private static Set<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).collect(Collectors.toCollection(HashSet::new));
    }

    /** A script as the java command runs its shell and programs, and writes into {@link #dir}. */
    private Permission scriptPermission() {
        return Permission.strict().allowRead(Path.of("/bin"), Path.of("/usr/bin")).allowWrite(dir);
    }

    private static PoolBuilder processPool() {
        return Knitting.pool().runtime(WorkerRuntime.PROCESS);
    }

    /** Starts a pool that must not start; closes it if it did, so the assertion failure is the only damage. */
    private static Throwable startFailure(PoolBuilder builder, Class<?>... tasks) {
        return catchThrowable(() -> {
            try (Pool unexpected = builder.start(tasks)) {
                unexpected.call(CrashTasks.SQUARE, 1);
            }
        });
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseToStartWhenTheWorkerJvmRejectsAnOption() {
        Throwable failure = startFailure(processPool().jvmArgs("-XX:+NoSuchOptionForKnitting"), CrashTasks.class);

        assertThat(failure).isInstanceOf(KnittingException.class)
                .hasMessageContaining("failed to start").hasMessageContaining("NoSuchOptionForKnitting");
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldQuoteTheStderrTailOfAWorkerThatDiedBeforeReadyOnce() {
        Throwable failure = startFailure(processPool().jvmArgs("-XX:+NoSuchOptionForKnitting"), CrashTasks.class);

        assertThat(failure).isInstanceOf(KnittingException.class);
        String message = failure.getMessage();
        int first = message.indexOf("Unrecognized VM option");
        assertThat(first).as("message: %s", message).isNotNegative();
        assertThat(message.indexOf("Unrecognized VM option", first + 1)).as("a second copy in: %s", message)
                .isNegative();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseToStartWhenTheJavaCommandDoesNotExist() {
        Path missing = dir.resolve("no-such-java");

        Throwable failure = startFailure(processPool().javaCommand(missing), CrashTasks.class);

        assertThat(failure).isInstanceOf(KnittingException.class).hasMessageContaining(missing.toString());
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldGiveUpOnAJavaCommandThatNeverStartsJava() throws IOException {
        Path pidFile = dir.resolve("sleeper.pid");
        Path script = script("sleeper", "echo $$ > '" + pidFile + "'", "exec sleep 600");

        Throwable failure = startFailure(processPool().javaCommand(script).workerStartTimeout(Duration.ofSeconds(3))
                .permission(scriptPermission()), CrashTasks.class);

        assertThat(failure).isInstanceOf(KnittingException.class)
                .hasMessageContaining("did not become ready").hasMessageContaining("PT3S");
        long pid = Long.parseLong(ProcessTestSupport.read(pidFile).trim());
        await("the sleeping command to be killed", () -> gone(pid), () -> "pid " + pid + " alive");
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldReportAChildThatDiesBeforeReady() throws IOException {
        Path script = script("dies", "echo 'no java here, giving up' >&2", "exit 42");

        Throwable failure = startFailure(processPool().javaCommand(script).permission(scriptPermission()),
                CrashTasks.class);

        assertThat(failure).isInstanceOf(KnittingException.class)
                .hasMessageContaining("exit code 42").hasMessageContaining("no java here, giving up");
    }

    /**
     * The workers get a variant of {@link VariantTasks} on their boot class path (which the system
     * class loader asks first): {@code twice(long)} instead of the host's {@code twice(int)}, so
     * their task table is not the host's.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseToStartWhenTheWorkersTaskTableDiffersFromTheHosts() throws IOException {
        Path boot = compileVariant("public static long twice(long v) {\n        return 2 * v;\n    }");

        Throwable failure = startFailure(processPool().jvmArgs("-Xbootclasspath/a:" + boot), CrashTasks.class,
                VariantTasks.class);

        assertThat(failure).isInstanceOf(KnittingException.class)
                .hasMessageContaining("failed to start")
                .hasMessageContaining(VariantTasks.class.getName() + "::twice(I)I")
                .hasMessageContaining("class path mismatch");
    }

    /**
     * The same task names but another version of the class (here {@code twice(int)} returns
     * {@code 3 * v}): only the task-table fingerprint, which covers the class files, can tell.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseToStartWhenTheWorkersLoadAnotherVersionOfATaskClass() throws IOException {
        Path boot = compileVariant("public static int twice(int v) {\n        return 3 * v;\n    }");

        Throwable failure = startFailure(processPool().jvmArgs("-Xbootclasspath/a:" + boot), CrashTasks.class,
                VariantTasks.class);

        assertThat(failure).isInstanceOf(KnittingException.class)
                .hasMessageContaining("failed to start")
                .hasMessageContaining("task table fingerprint")
                .hasMessageContaining("class path mismatch");
    }

    /**
     * {@link NestingTasks} starts a process pool from its static initializer inside workers. Loading
     * it fails the worker's boot; meanwhile no worker of a worker may ever appear.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseAPoolStartedInsideAWorkerWithoutSpawningRecursively() {
        Set<Long> before = pids(ProcessTestSupport.workerDescendants());
        WorkerSampler sampler = new WorkerSampler(before);
        sampler.start();
        Throwable failure;
        try {
            failure = startFailure(processPool(), NestingTasks.class);
        } finally {
            sampler.stopAndJoin();
        }

        assertThat(failure).isInstanceOf(KnittingException.class)
                .hasMessageContaining("failed to start")
                .hasMessageContaining("a pool cannot be started inside a worker process");
        assertThat(sampler.seen).as("worker processes that appeared").hasSizeLessThanOrEqualTo(1);
        assertThat(sampler.nested).as("workers with pool depth >= 2").isEmpty();
    }

    private Path script(String name, String... lines) throws IOException {
        Path script = dir.resolve(name + ".sh");
        Files.writeString(script, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private Path compileVariant(String method) throws IOException {
        Path source = dir.resolve("src/dev/knitting/process/fixtures/VariantTasks.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, """
                package dev.knitting.process.fixtures;

                public final class VariantTasks {
                    private VariantTasks() {
                    }

                    %s
                }
                """.formatted(method));
        Path out = dir.resolve("boot");
        Files.createDirectories(out);
        Javac.compile(List.of("--release", "22", "-d", out.toString(), source.toString()));
        return out;
    }

    /**
     * Samples this JVM's descendants (grandchildren included while their parent lives) for worker
     * JVMs that appear while a start runs.
     */
    private static final class WorkerSampler extends Thread {
        final Set<Long> seen = ConcurrentHashMap.newKeySet();
        final Set<Long> nested = ConcurrentHashMap.newKeySet();
        private final Set<Long> before;
        private volatile boolean running = true;

        WorkerSampler(Set<Long> before) {
            super("worker-sampler");
            setDaemon(true);
            this.before = before;
        }

        @Override
        public void run() {
            while (running) {
                List<ProcessHandle> workers = ProcessTestSupport.workerDescendants();
                for (ProcessHandle worker : workers) {
                    if (!before.contains(worker.pid())) {
                        seen.add(worker.pid());
                        if (poolDepth(worker.pid()) >= 2) {
                            nested.add(worker.pid());
                        }
                    }
                }
                LockSupport.parkNanos(2_000_000);
            }
        }

        void stopAndJoin() {
            running = false;
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static int poolDepth(long pid) {
            try {
                String environ = Files.readString(Path.of("/proc", Long.toString(pid), "environ"),
                        StandardCharsets.ISO_8859_1);
                for (String entry : environ.split("\0")) {
                    if (entry.startsWith("KNITTING_POOL_DEPTH=")) {
                        return Integer.parseInt(entry.substring("KNITTING_POOL_DEPTH=".length()));
                    }
                }
                return 0;
            } catch (IOException | RuntimeException gone) {
                return 0;
            }
        }
    }
}
