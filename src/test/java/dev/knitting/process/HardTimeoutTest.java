package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.failureOf;
import static dev.knitting.process.ProcessTestSupport.gone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.Permission;
import dev.knitting.Pool;
import dev.knitting.PoolStats;
import dev.knitting.TaskCall;
import dev.knitting.TaskTimeoutException;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.CrashTasks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hardTimeout} with process workers: a call that runs past it fails with
 * {@link TaskTimeoutException}, and its worker, which ignores aborts, is killed and replaced.
 *
 * <p>The hard timeout counts from dispatch, so a call made while the replacement starts may run out
 * of time before any worker takes it; such calls must still end (with that exception), and the
 * tests accept it instead of betting on how fast a JVM starts.
 */
class HardTimeoutTest {
    private static final Duration HARD = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailTheRunawayCallKillItsWorkerAndEndEveryLaterCallExactlyOnce() {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).hardTimeout(HARD)
                .permission(Permission.strict().allowWrite(dir))
                .start(CrashTasks.class)) {
            long pid = pool.call(CrashTasks.PID, 0).join();
            Path mark = dir.resolve("runaway");

            Throwable failure = failureOf(pool.call(CrashTasks.RUN_FOREVER, mark.toString()));

            assertThat(failure).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("hard timeout");
            assertThat(ProcessTestSupport.read(mark)).isEqualTo(Long.toString(pid));
            List<TaskCall<Integer>> during = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                during.add(pool.call(CrashTasks.SQUARE, i));
            }
            await("the runaway's worker to be killed", () -> gone(pid), () -> "pid " + pid + " alive");
            await("the restart to be counted", () -> pool.stats().workerRestarts() >= 1, pool::stats);
            for (int i = 0; i < during.size(); i++) {
                int square = i * i;
                assertThat(during.get(i).handle((v, e) -> e == null ? v : e).join()).as("call %d", i)
                        .satisfiesAnyOf(v -> assertThat(v).isEqualTo(square),
                                v -> assertThat(v).isInstanceOf(TaskTimeoutException.class));
            }
            long replacement = awaitServingPid(pool, Set.of(pid));
            assertThat(replacement).isNotEqualTo(pid);
            for (int i = 0; i < 10; i++) {
                assertThat(pool.call(CrashTasks.SQUARE, i).join()).isEqualTo(i * i);
            }
            await("every end to be counted", () -> settled(pool.stats()), pool::stats);
            assertThat(pool.stats().workerRestarts()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldKillOnlyTheWorkerThatRanPastTheHardTimeout() {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2).hardTimeout(HARD)
                .permission(Permission.strict().allowWrite(dir))
                .start(CrashTasks.class)) {
            Set<Long> pids = new HashSet<>();
            while (pids.size() < 2) {
                pids.add(pool.call(CrashTasks.PID, 0).join());
            }
            Path mark = dir.resolve("runaway");

            assertThat(failureOf(pool.call(CrashTasks.RUN_FOREVER, mark.toString())))
                    .isInstanceOf(TaskTimeoutException.class);

            long killed = Long.parseLong(ProcessTestSupport.read(mark));
            long survivor = pids.stream().filter(p -> p != killed).findFirst().orElseThrow();
            await("the runaway's worker to be killed", () -> gone(killed), () -> "pid " + killed + " alive");
            awaitServingPid(pool, pids);
            assertThat(gone(survivor)).as("the other worker").isFalse();
            for (int i = 0; i < 20; i++) {
                assertThat(pool.call(CrashTasks.SQUARE, i).join()).isEqualTo(i * i);
            }
            assertThat(pool.stats().workerRestarts()).isEqualTo(1);
        }
    }

    /**
     * Calls {@link CrashTasks#PID} until a worker whose pid is not in {@code old} answers; calls that
     * ran out of time waiting for the replacement are tolerated, any other failure is not.
     */
    private static long awaitServingPid(Pool pool, Set<Long> old) {
        long[] found = {-1};
        await("a replacement worker to answer", () -> {
            try {
                long pid = pool.call(CrashTasks.PID, 0).join();
                if (!old.contains(pid)) {
                    found[0] = pid;
                }
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(TaskTimeoutException.class);
            }
            return found[0] >= 0;
        }, () -> "only old workers answered");
        return found[0];
    }

    private static boolean settled(PoolStats stats) {
        return stats.inFlight() == 0 && stats.submitted() == stats.completed() + stats.failed();
    }
}
