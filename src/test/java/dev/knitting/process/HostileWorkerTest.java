package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.failureOf;
import static dev.knitting.process.ProcessTestSupport.gone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.OpenPools;
import dev.knitting.Pool;
import dev.knitting.PoolStats;
import dev.knitting.ProtocolException;
import dev.knitting.Task;
import dev.knitting.TaskCall;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.CrashTasks;
import dev.knitting.process.fixtures.HostileTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A task that writes garbage into its own lane's response ring (see {@link HostileTasks}): the host
 * must notice the corrupt lane, fail the call the worker had taken with {@link ProtocolException},
 * kill and replace the worker, send the calls queued behind to the replacement, and never crash or
 * hang.
 *
 * <p>The test waits on copies of the calls ({@code copy()}), which do not help collect answers,
 * so that the pool's own answer pump is the one that meets the garbage.
 */
class HostileWorkerTest {
    private final OpenPools pools = new OpenPools();

    static Stream<Arguments> attacks() {
        return Stream.of(Arguments.of("broken framing", HostileTasks.BREAK_FRAMING),
                Arguments.of("forged message", HostileTasks.FORGE_MESSAGE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailTheHostileCallWithProtocolExceptionAndReplaceItsWorker(String name, Task<Integer, String> attack) {
        Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).start(HostileTasks.class,
                CrashTasks.class);
        pools.add(pool);
        long pid = pool.call(CrashTasks.PID, 0).join();
        TaskCall<String> hostile = pool.call(attack, 0);
        List<TaskCall<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queued.add(pool.call(HostileTasks.SQUARE, i));
        }

        Throwable failure = failureOf(hostile.copy());

        assertThat(failure).isInstanceOf(ProtocolException.class).hasMessageContaining("corrupt");
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).copy().join()).as("queued call %d", i).isEqualTo(i * i);
        }
        await("the hostile worker to be killed", () -> gone(pid), () -> "pid " + pid + " alive");
        assertThat(pool.call(CrashTasks.PID, 0).copy().join()).isNotEqualTo(pid);
        await("every end to be counted", () -> settled(pool.stats()), pool::stats);
        PoolStats stats = pool.stats();
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.completed()).isEqualTo(52);
        assertThat(stats.workerRestarts()).isEqualTo(1);
    }

    /**
     * The same forged message, but the test thread waits in {@code join()} itself and so helps
     * collect answers: whichever host thread meets the garbage, the lane must be retired. Several
     * rounds, since the caller and the pump race for the record.
     */
    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldRetireTheLaneWhenACallerWaitingInJoinMeetsAForgedMessage() {
        Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).start(HostileTasks.class,
                CrashTasks.class);
        pools.add(pool);
        for (int round = 0; round < 4; round++) {
            long pid = pool.call(CrashTasks.PID, 0).join();

            Throwable failure = failureOf(pool.call(HostileTasks.FORGE_MESSAGE, round));

            assertThat(failure).as("round %d", round).isInstanceOf(ProtocolException.class);
            await("the hostile worker to be killed", () -> gone(pid), () -> "pid " + pid + " alive");
            assertThat(pool.call(HostileTasks.SQUARE, round).join()).isEqualTo(round * round);
        }
        assertThat(pool.stats().workerRestarts()).isEqualTo(4);
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
    }

    private static boolean settled(PoolStats stats) {
        return stats.inFlight() == 0 && stats.submitted() == stats.completed() + stats.failed();
    }
}
