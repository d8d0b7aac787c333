package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.Permission;
import dev.knitting.OpenPools;
import dev.knitting.Pool;
import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.WorkerCrashedException;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.BatchLiarTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code callAll} against process workers that die in the middle of a batch or lie about it: a
 * chunk is one call to the lane, so a chunk the dead worker was running fails the whole, chunks it
 * had not taken go to the replacement once, an answer with the wrong number of results or an
 * element failure naming no element of the chunk is a {@link ProtocolException} that retires the
 * liar, and the whole ends exactly once, never twice.
 */
class CallAllContainmentTest {
    private final OpenPools pools = new OpenPools();
    @TempDir
    Path dir;

    private Pool start(int threads) {
        Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(threads)
                .permission(Permission.strict().allowWrite(dir)).start(BatchLiarTasks.class);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void closePools() {
        pools.shutdownAll();
    }

    private static <T> TaskCall<T> countingEnds(TaskCall<T> call, AtomicInteger ends) {
        call.whenComplete((value, failure) -> ends.incrementAndGet());
        return call;
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void aWorkerDyingInTheMiddleOfABatchFailsTheWholeOnceAndIsReplaced() {
        Pool pool = start(1);
        AtomicInteger ends = new AtomicInteger();
        List<Integer> values = new ArrayList<>(IntStream.range(0, 1000).boxed().toList());
        values.set(400, -1); // in the second chunk

        Throwable failure = failureOf(countingEnds(pool.callAll(BatchLiarTasks.SQUARE_OR_HALT, values), ends));

        assertThat(failure).isInstanceOf(WorkerCrashedException.class).hasMessageContaining("exit code 9");
        assertThat(pool.callAll(BatchLiarTasks.SQUARE, List.of(1, 2, 3)).join()).as("the replacement serves")
                .containsExactly(1, 4, 9);
        await("the restart to be counted", () -> pool.stats().workerRestarts() == 1, pool::stats);
        assertThat(ends.get()).as("ends of the whole").isEqualTo(1);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void chunksQueuedBehindACrashGoToTheReplacementAndTheWholeCompletesOnce() throws Exception {
        Pool pool = start(1);
        Path gate = dir.resolve("gate");
        TaskCall<Integer> crashing = pool.call(BatchLiarTasks.HALT_AFTER_GATE, gate.toString());
        AtomicInteger ends = new AtomicInteger();
        TaskCall<List<Integer>> batch = countingEnds(pool.callAll(BatchLiarTasks.SQUARE,
                IntStream.range(0, 2000).boxed().toList()), ends);

        Files.createFile(gate);

        assertThat(failureOf(crashing)).isInstanceOf(WorkerCrashedException.class);
        assertThat(batch.join()).isEqualTo(IntStream.range(0, 2000).mapToObj(i -> i * i).toList());
        assertThat(ends.get()).as("ends of the whole").isEqualTo(1);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void anAnswerWithTheWrongNumberOfResultsIsAProtocolErrorAndTheLiarIsReplaced() {
        Pool pool = start(1);
        AtomicInteger ends = new AtomicInteger();

        Throwable failure = failureOf(countingEnds(pool.callAll(BatchLiarTasks.ANSWER_WITH_COUNT, List.of(5, 5)),
                ends));

        assertThat(failure).isInstanceOf(ProtocolException.class).hasMessageContaining("2 elements holds 5 results");
        await("the liar to be replaced", () -> pool.stats().workerRestarts() == 1, pool::stats);
        assertThat(pool.callAll(BatchLiarTasks.SQUARE, List.of(4, 5)).join()).as("the replacement serves")
                .containsExactly(16, 25);
        assertThat(ends.get()).as("ends of the whole").isEqualTo(1);
    }

    @ParameterizedTest(name = "index {0}")
    @ValueSource(ints = {2, -1, Integer.MAX_VALUE})
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void anElementFailureNamingAnIndexOutsideTheChunkIsAProtocolErrorAndTheLiarIsReplaced(int index) {
        Pool pool = start(1);
        AtomicInteger ends = new AtomicInteger();

        Throwable failure = failureOf(countingEnds(pool.callAll(BatchLiarTasks.FAIL_ELEMENT_AT,
                List.of(index, index)), ends));

        assertThat(failure).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("chunk of 2 elements names the failed element " + index);
        await("the liar to be replaced", () -> pool.stats().workerRestarts() == 1, pool::stats);
        assertThat(pool.callAll(BatchLiarTasks.SQUARE, List.of(4, 5)).join()).as("the replacement serves")
                .containsExactly(16, 25);
        assertThat(ends.get()).as("ends of the whole").isEqualTo(1);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void anElementFailureThatIsNotAnIndexAndAnExceptionIsAProtocolErrorAndTheLiarIsReplaced() {
        Pool pool = start(1);

        Throwable failure = failureOf(pool.callAll(BatchLiarTasks.FAIL_ELEMENT_AS_TEXT, List.of(0)));

        assertThat(failure).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("reports an element failure as a java.lang.String instead of [index, exception]");
        await("the liar to be replaced", () -> pool.stats().workerRestarts() == 1, pool::stats);
        assertThat(pool.callAll(BatchLiarTasks.SQUARE, List.of(3)).join()).containsExactly(9);
    }
}
