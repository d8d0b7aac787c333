package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.failureOf;
import static dev.knitting.process.ProcessTestSupport.gone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.KnittingException;
import dev.knitting.Permission;
import dev.knitting.OpenPools;
import dev.knitting.Pool;
import dev.knitting.PoolBuilder;
import dev.knitting.PoolStats;
import dev.knitting.SharedMemoryMode;
import dev.knitting.TaskCall;
import dev.knitting.WorkerCrashedException;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.CrashTasks;
import dev.knitting.process.fixtures.CrashTasks.Crash;
import dev.knitting.process.fixtures.FailingBoots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash containment of process workers: a worker that exits or is killed fails exactly the calls it
 * had taken, with a {@link WorkerCrashedException} that says how it died; the calls it had not taken
 * go to a replacement, and the pool keeps serving.
 */
class WorkerCrashTest {
    private final OpenPools pools = new OpenPools();

    @TempDir
    Path dir;

    private Pool start(PoolBuilder builder) {
        Pool pool = builder.start(CrashTasks.class);
        pools.add(pool);
        return pool;
    }

    /** Tasks here tell the test they run through files in {@link #dir}: the workers may write there. */
    private PoolBuilder processPool(int threads) {
        return Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(threads)
                .permission(Permission.strict().allowWrite(dir));
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void closePools() {
        pools.shutdownAll();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailTheCallThatHaltedItsWorkerWithExitCodeAndStderrAndKeepServing() {
        Pool pool = start(processPool(2));
        String line = "about to halt " + System.nanoTime();

        Throwable failure = failureOf(pool.call(CrashTasks.HALT, new Crash(3, line, null)));

        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        WorkerCrashedException crash = (WorkerCrashedException) failure;
        assertThat(crash.exitCode()).hasValue(3);
        assertThat(crash.signal()).isEmpty();
        assertThat(crash.stderrTail()).contains(line);
        assertThat(crash.getMessage()).contains("exit code 3").contains(line);
        for (int i = 0; i < 20; i++) {
            assertThat(pool.call(CrashTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        await("the restart to be counted", () -> pool.stats().workerRestarts() == 1, pool::stats);
        assertThat(pool.stats().workerRestarts()).isEqualTo(1);
    }

    /**
     * threads(1): the crashing call waits for a gate file, so the test queues 200 calls behind it
     * before the worker dies. None of them was taken: each must complete with its own value on the
     * replacement, and every call must end exactly once.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldSendEveryCallQueuedBehindACrashToTheReplacement() throws Exception {
        Pool pool = start(processPool(1));
        Path gate = dir.resolve("gate");
        AtomicInteger ends = new AtomicInteger();
        TaskCall<Integer> crashing = pool.call(CrashTasks.HALT, new Crash(7, "halting after the gate", gate.toString()));
        crashing.whenComplete((v, e) -> ends.incrementAndGet());
        List<TaskCall<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            TaskCall<Integer> call = pool.call(CrashTasks.SQUARE, i);
            call.whenComplete((v, e) -> ends.incrementAndGet());
            queued.add(call);
        }

        Files.createFile(gate);

        Throwable failure = failureOf(crashing);
        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        assertThat(((WorkerCrashedException) failure).exitCode()).hasValue(7);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).join()).as("queued call %d", i).isEqualTo(i * i);
        }
        await("every end to be counted", () -> settled(pool.stats()), pool::stats);
        assertThat(ends).hasValue(201);
        PoolStats stats = pool.stats();
        assertThat(stats.submitted()).isEqualTo(201);
        assertThat(stats.completed()).isEqualTo(200);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.inFlight()).isZero();
        assertThat(stats.workerRestarts()).isEqualTo(1);
    }

    /**
     * The first replacement dies while it boots (as one killed from outside at that moment would):
     * the lane starts another, and the calls that waited for it are served. One failed start must
     * not cost the pool a lane for good.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldStartAnotherReplacementWhenTheFirstDiesWhileItBoots() {
        Pool pool = start(processPool(1).bootstrap(FailingBoots.class.getName(), "boot",
                new FailingBoots.Plan(dir.toString(), Set.of(2))));
        assertThat(pool.call(CrashTasks.SQUARE, 3).join()).isEqualTo(9);

        assertThat(failureOf(pool.call(CrashTasks.HALT, new Crash(3, "halting before a failing boot", null))))
                .isInstanceOf(WorkerCrashedException.class);
        List<TaskCall<Integer>> after = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            after.add(pool.call(CrashTasks.SQUARE, i));
        }

        for (int i = 0; i < after.size(); i++) {
            assertThat(after.get(i).join()).as("call %d", i).isEqualTo(i * i);
        }
        assertThat(dir.resolve("boot-2")).exists();
        assertThat(dir.resolve("boot-3")).exists();
        assertThat(dir.resolve("boot-4")).doesNotExist();
    }

    /** Every replacement dies while it boots: after the last try the lane is down, and says why. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailCallsClearlyOnceEveryReplacementStartFailed() {
        Pool pool = start(processPool(1).bootstrap(FailingBoots.class.getName(), "boot",
                new FailingBoots.Plan(dir.toString(), Set.of(2, 3, 4, 5))));
        assertThat(pool.call(CrashTasks.SQUARE, 3).join()).isEqualTo(9);

        assertThat(failureOf(pool.call(CrashTasks.HALT, new Crash(3, "halting before failing boots", null))))
                .isInstanceOf(WorkerCrashedException.class);
        Throwable waited = failureOf(pool.call(CrashTasks.SQUARE, 4));

        assertThat(waited).isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("could not start a replacement");
        assertThat(waited.getCause().getSuppressed()).hasSize(2);
        assertThat(failureOf(pool.call(CrashTasks.SQUARE, 5))).isInstanceOf(KnittingException.class);
        assertThat(dir.resolve("boot-4")).exists();
        assertThat(dir.resolve("boot-5")).doesNotExist();
    }

    /** The worker halts at once while the test keeps submitting: calls made during the restart wait for it. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldServeCallsSubmittedWhileTheWorkerDiesAndRestarts() {
        Pool pool = start(processPool(1));
        TaskCall<Integer> crashing = pool.call(CrashTasks.HALT, new Crash(5, "halting at once", null));
        List<TaskCall<Integer>> after = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            after.add(pool.call(CrashTasks.SQUARE, i));
        }

        assertThat(failureOf(crashing)).isInstanceOf(WorkerCrashedException.class);
        for (int i = 0; i < after.size(); i++) {
            assertThat(after.get(i).join()).as("call %d", i).isEqualTo(i * i);
        }
        await("every end to be counted", () -> settled(pool.stats()), pool::stats);
        assertThat(pool.stats().completed()).isEqualTo(300);
        assertThat(pool.stats().failed()).isEqualTo(1);
        assertThat(pool.stats().workerRestarts()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailARunningCallWithSignal9WhenItsWorkerIsKilledFromOutside() {
        Pool pool = start(processPool(1));
        long pid = pool.call(CrashTasks.PID, 0).join();
        Path mark = dir.resolve("running");
        TaskCall<String> running = pool.call(CrashTasks.RUN_FOREVER, mark.toString());
        await("the call to run", () -> !ProcessTestSupport.read(mark).isEmpty(), () -> "no mark yet");
        assertThat(ProcessTestSupport.read(mark)).isEqualTo(Long.toString(pid));

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        Throwable failure = failureOf(running);
        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        WorkerCrashedException crash = (WorkerCrashedException) failure;
        assertThat(crash.signal()).hasValue(9);
        assertThat(crash.exitCode()).isEmpty();
        assertThat(crash.getMessage()).contains("signal 9").contains("pid " + pid);
        long replacement = pool.call(CrashTasks.PID, 0).join();
        assertThat(replacement).isNotEqualTo(pid);
        assertThat(gone(pid)).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(pool.call(CrashTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        await("the restart to be counted", () -> pool.stats().workerRestarts() == 1, pool::stats);
    }

    /** Values, a task exception, a crash and the calls behind it: every counter adds up afterwards. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldKeepStatsConsistentAfterACrash() throws Exception {
        Pool pool = start(processPool(2));
        Path gate = dir.resolve("gate");
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(pool.call(CrashTasks.SQUARE, i));
        }
        calls.add(pool.call(CrashTasks.FAIL, "task exception"));
        TaskCall<Integer> crashing = pool.call(CrashTasks.HALT, new Crash(9, "stats crash", gate.toString()));
        for (int i = 0; i < 50; i++) {
            calls.add(pool.call(CrashTasks.SQUARE, i));
        }
        Files.createFile(gate);

        assertThat(failureOf(crashing)).isInstanceOf(WorkerCrashedException.class);
        long values = calls.stream().filter(c -> !c.handle((v, e) -> e == null).join()).count();
        assertThat(values).isEqualTo(1);
        await("every end to be counted", () -> settled(pool.stats()), pool::stats);
        PoolStats stats = pool.stats();
        assertThat(stats.submitted()).isEqualTo(102);
        assertThat(stats.completed()).isEqualTo(100);
        assertThat(stats.failed()).isEqualTo(2);
        assertThat(stats.submitted()).isEqualTo(stats.completed() + stats.failed());
        assertThat(stats.inFlight()).isZero();
        assertThat(stats.workerRestarts()).isEqualTo(1);
    }

    /** The replacement of a NAMED-mode worker gets a fresh name, which is unlinked like the first. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldReplaceACrashedWorkerInNamedModeWithoutLeavingNames() {
        String prefix = ProcessTestSupport.uniquePrefix("kc");
        Pool pool = start(processPool(1).sharedMemory(SharedMemoryMode.NAMED).sharedMemoryNamePrefix(prefix));
        long first = pool.call(CrashTasks.PID, 0).join();

        assertThat(failureOf(pool.call(CrashTasks.HALT, new Crash(4, "named crash", null))))
                .isInstanceOf(WorkerCrashedException.class);

        long second = pool.call(CrashTasks.PID, 0).join();
        assertThat(second).isNotEqualTo(first);
        assertThat(pool.call(CrashTasks.SQUARE, 12).join()).isEqualTo(144);
        assertThat(ProcessTestSupport.shmNames(prefix)).isEmpty();
        pool.close();
        assertThat(ProcessTestSupport.shmNames(prefix)).isEmpty();
    }

    /**
     * The pool is closed while a crashed worker's replacement JVM is starting (the test waits until
     * the replacement process exists, not until it is ready): once {@code close()} has returned, no
     * worker of the pool may keep running.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldNotLeaveTheReplacementRunningWhenThePoolClosesDuringTheRestart() {
        Pool pool = processPool(1).start(CrashTasks.class);
        long first = pool.call(CrashTasks.PID, 0).join();
        Set<Long> others = workerPids();
        others.remove(first);
        assertThat(failureOf(pool.call(CrashTasks.HALT, new Crash(3, "crash before close", null))))
                .isInstanceOf(WorkerCrashedException.class);
        await("the replacement JVM to be spawned", () -> !newWorkers(others, first).isEmpty(),
                ProcessTestSupport::workerDescendants);
        Set<Long> replacements = newWorkers(others, first);

        pool.close();

        try {
            await("the replacement " + replacements + " to exit after close", Duration.ofSeconds(30),
                    () -> replacements.stream().allMatch(ProcessTestSupport::gone),
                    () -> "alive: " + replacements.stream().filter(p -> !gone(p)).toList() + ", " + pool.stats());
        } finally {
            replacements.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private static Set<Long> workerPids() {
        return ProcessTestSupport.workerDescendants().stream().map(ProcessHandle::pid)
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<Long> newWorkers(Set<Long> others, long first) {
        Set<Long> now = workerPids();
        now.removeAll(others);
        now.remove(first);
        return now;
    }

    private static boolean settled(PoolStats stats) {
        return stats.inFlight() == 0 && stats.submitted() == stats.completed() + stats.failed();
    }
}
