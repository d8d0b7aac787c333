package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.failureOf;
import static dev.knitting.process.ProcessTestSupport.gone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.PayloadException;
import dev.knitting.Permission;
import dev.knitting.OpenPools;
import dev.knitting.Pool;
import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.TaskTimeoutException;
import dev.knitting.WorkerCrashedException;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.CrashTasks;
import dev.knitting.process.fixtures.LaneLiarTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process workers that lie through the lane fields the host reads (see {@link LaneLiarTasks}):
 * a corrupt request ring, a taken position that denies what the worker ran, an answer the host
 * cannot load. Each may fail the liar's own calls; none may hang, loop or lose another call.
 */
class LaneLiarTest {
    private final OpenPools pools = new OpenPools();
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldReplaceAWorkerWhoseRequestRingIsCorruptAndSendTheNextCallsToTheReplacement() {
        Pool pool = start(Knitting.pool());
        long pid = pool.call(CrashTasks.PID, 0).join();
        Path marker = dir.resolve("corrupted");
        TaskCall<String> liar = pool.call(LaneLiarTasks.CORRUPT_REQUEST_HEAD, marker.toString());
        await("the worker to corrupt its request ring", () -> Files.exists(marker), pool::stats);

        List<TaskCall<Integer>> after = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            after.add(pool.call(LaneLiarTasks.SQUARE, i));
        }

        for (int i = 0; i < after.size(); i++) {
            assertThat(after.get(i).join()).as("call %d after the corruption", i).isEqualTo(i * i);
        }
        assertThat(failureOf(liar)).isInstanceOf(ProtocolException.class).hasMessageContaining("corrupt");
        await("the liar to be killed", () -> gone(pid), () -> "pid " + pid + " alive");
        assertThat(pool.stats().workerRestarts()).isEqualTo(1);
        assertThat(pool.call(CrashTasks.PID, 0).join()).isNotEqualTo(pid);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldResendACallWhoseWorkerDeniedTakingItOnceAndThenFailIt() {
        Pool pool = start(Knitting.pool());

        Throwable failure = failureOf(pool.call(LaneLiarTasks.DENY_TAKING_AND_EXIT, 0));

        assertThat(failure).isInstanceOf(WorkerCrashedException.class).hasMessageContaining("resent at most once");
        await("the second replacement to be counted", () -> pool.stats().workerRestarts() == 2, pool::stats);
        assertThat(pool.call(LaneLiarTasks.SQUARE, 9).join()).isEqualTo(81);
        assertThat(pool.stats().workerRestarts()).isEqualTo(2);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldKillAWorkerThatNeverAdmitsTakingACallOnceTheHardTimeoutPasses() {
        Pool pool = start(Knitting.pool().hardTimeout(Duration.ofSeconds(1)));
        long pid = pool.call(CrashTasks.PID, 0).join();

        Throwable failure = failureOf(pool.call(LaneLiarTasks.DENY_TAKING_FOREVER, 0));

        assertThat(failure).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("hard timeout");
        await("the runaway worker to be killed", () -> gone(pid), () -> "pid " + pid + " alive");
        // On a loaded machine the replacement's first call (class loading in a fresh JVM) may itself
        // pass the 1 s hard timeout: that is the option working, so such a call is simply made again.
        await("the replacement to answer a call within the hard timeout", () -> squares(pool), pool::stats);
    }

    /** @return whether SQUARE(5) answered 25; false when its worker passed the hard timeout */
    private static boolean squares(Pool pool) {
        try {
            return pool.call(LaneLiarTasks.SQUARE, 5).join() == 25;
        } catch (CompletionException e) {
            if (e.getCause() instanceof TaskTimeoutException) {
                return false;
            }
            throw e;
        }
    }

    /** The worker's CPU word only ever makes the host's spinners yield sooner: every call still ends right. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void aWorkerWritingAnyValueIntoItsCpuWordOnlyChangesHowTheHostWaits() {
        Pool pool = start(Knitting.pool());
        long pid = pool.call(CrashTasks.PID, 0).join();
        assertThat(pool.call(LaneLiarTasks.LIE_ABOUT_THE_CPU, 0).join()).isEqualTo("lying");

        for (int i = 0; i < 2000; i++) {
            assertThat(pool.call(LaneLiarTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        assertThat(pool.call(CrashTasks.PID, 0).join()).as("the same worker").isEqualTo(pid);
        assertThat(pool.stats().workerRestarts()).isZero();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailOnlyTheCallWhoseAnswerTheHostCannotLoadAndKeepTheLaneServing() {
        Pool pool = start(Knitting.pool());
        long pid = pool.call(CrashTasks.PID, 0).join();

        Throwable failure = failureOf(pool.call(LaneLiarTasks.POISON, 1));

        assertThat(failure).isInstanceOf(PayloadException.class).hasRootCauseInstanceOf(IllegalStateException.class);
        for (int i = 0; i < 20; i++) {
            assertThat(pool.call(LaneLiarTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        assertThat(failureOf(pool.call(LaneLiarTasks.POISON, 2))).isInstanceOf(PayloadException.class)
                .hasCauseInstanceOf(NoClassDefFoundError.class);
        assertThat(pool.call(CrashTasks.PID, 0).join()).as("the same worker").isEqualTo(pid);
        assertThat(pool.stats().workerRestarts()).isZero();
    }

    /**
     * A caller whose lane is replacing its worker waits for the replacement, but not past its own
     * call's timeout: here the replacement's JVM is held back (a command prefix sleeps while a
     * marker file exists), far longer than the call's 300 ms.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void aCallerWaitingForAReplacementWorkerLeavesWhenItsCallTimesOut() throws Exception {
        Path marker = dir.resolve("hold-replacements");
        Pool pool = start(Knitting.pool().commandPrefix("sh", "-c",
                "while [ -e '" + marker + "' ]; do sleep 0.05; done; exec \"$0\" \"$@\""));
        long pid = pool.call(CrashTasks.PID, 0).join();
        Files.createFile(marker);
        failureOf(pool.call(CrashTasks.HALT, new CrashTasks.Crash(3, "halting on purpose", null)));
        await("the worker to be gone", () -> gone(pid), () -> "pid " + pid + " alive");

        CompletableFuture<TaskCall<Integer>> caller = CompletableFuture.supplyAsync(
                () -> pool.call(LaneLiarTasks.SQUARE_WITHIN_300MS, 4));

        TaskCall<Integer> call = caller.get(60, TimeUnit.SECONDS);
        assertThat(Files.exists(marker)).as("the replacement is still held back").isTrue();
        assertThat(failureOf(call)).isInstanceOf(TaskTimeoutException.class);
        Files.delete(marker);
        assertThat(pool.call(LaneLiarTasks.SQUARE, 6).join()).isEqualTo(36);
    }

    private Pool start(dev.knitting.PoolBuilder builder) {
        Pool pool = builder.runtime(WorkerRuntime.PROCESS).threads(1)
                .permission(Permission.strict().allowWrite(dir)) // its tasks signal the test through files there
                .start(LaneLiarTasks.class, CrashTasks.class);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
    }
}
