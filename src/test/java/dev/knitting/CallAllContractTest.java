package dev.knitting;

import static dev.knitting.ContractSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.testtasks.AsyncTasks;
import dev.knitting.testtasks.BatchTasks;
import dev.knitting.testtasks.BatchTasks.Step;
import dev.knitting.testtasks.EchoTasks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code callAll}, written once for every worker kind (one subclass per kind): results in order,
 * chunks spread over lanes, the first failure failing the whole and stopping the chunks not run,
 * cancel and timeouts applying to the whole, payload limits per chunk. How many elements ran is
 * counted in the worker ({@link BatchTasks#COUNT}), so the process suite checks it too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CallAllContractTest {
    private static final Class<?>[] TASK_CLASSES = {EchoTasks.class, BatchTasks.class, AsyncTasks.class};
    private static final AtomicLong TOKENS = new AtomicLong();

    private final OpenPools pools = new OpenPools();

    /** Configures {@code builder} for this suite's worker kind. */
    protected abstract PoolBuilder withWorkerKind(PoolBuilder builder);

    /** Starts a pool of this suite's worker kind with the batch test tasks; shut down after the test. */
    protected final Pool start(PoolBuilder builder) {
        Pool pool = withWorkerKind(builder).start(TASK_CLASSES);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
    }

    private static String token() {
        return "batch-" + TOKENS.incrementAndGet() + "-" + System.nanoTime();
    }

    private static List<Step> steps(String token, int count, int failAt, int blockFrom) {
        return IntStream.range(0, count).mapToObj(i -> new Step(token, i, failAt, blockFrom)).toList();
    }

    private static List<Integer> range(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void callAllReturnsOneResultPerElementInOrder() {
        Pool pool = start(Knitting.pool().threads(1));

        List<Integer> squares = pool.callAll(EchoTasks.SQUARE, range(1000)).join();

        assertThat(squares).isEqualTo(IntStream.range(0, 1000).mapToObj(i -> i * i).toList());
        assertThat(pool.callAll(EchoTasks::cube, List.of(1, 2, 3)).join()).as("a bare function")
                .containsExactly(1, 8, 27);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void anEmptyListGivesAnEmptyListWithoutCallingAWorker() {
        Pool pool = start(Knitting.pool().threads(1));

        assertThat(pool.callAll(EchoTasks.SQUARE, List.of()).join()).isEmpty();
        assertThat(pool.stats().submitted()).isZero();
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void nullElementsAndNullResultsKeepTheirPlaces() {
        Pool pool = start(Knitting.pool().threads(2));
        List<Object> values = Arrays.asList(null, 1, null, "x", null);

        assertThat(pool.callAll(EchoTasks.ECHO, values).join()).containsExactly(null, 1, null, "x", null);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void theListIsTakenAsItIsWhenCallAllIsCalled() {
        Pool pool = start(Knitting.pool().threads(1));
        List<Integer> values = new ArrayList<>(range(300));

        TaskCall<List<Integer>> call = pool.callAll(EchoTasks.SQUARE, values);
        values.clear();

        assertThat(call.join()).hasSize(300).startsWith(0, 1, 4);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void asyncTasksRunOneElementAfterAnotherAndTheirFailuresNameTheElement() {
        Pool pool = start(Knitting.pool().threads(2));
        List<String> messages = IntStream.range(0, 300).mapToObj(i -> "m" + i).toList();

        List<Integer> doubled = pool.callAll(AsyncTasks.DOUBLE_LATER, range(60)).join();
        Throwable later = catchFailure(pool.callAll(AsyncTasks.FAIL_LATER, messages));
        Throwable now = catchFailure(pool.callAll(AsyncTasks.FAIL_NOW, messages));

        assertThat(doubled).isEqualTo(IntStream.range(0, 60).mapToObj(i -> 2 * i).toList());
        assertThat(later).isInstanceOf(CompletionException.class).hasMessageContaining("of 300 failed");
        assertThat(later.getCause()).isInstanceOf(IllegalStateException.class);
        assertThat(now).isInstanceOf(CompletionException.class).hasMessageContaining("of 300 failed");
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void thousandsOfElementsSpreadOverEveryLaneStayInOrder() {
        Pool pool = start(Knitting.pool().threads(3));

        List<Integer> squares = pool.callAll(EchoTasks.SQUARE, range(20_000)).join();
        List<Integer> lanes = pool.callAll(EchoTasks.WORKER_INDEX, new ArrayList<Object>(range(3000))).join();

        assertThat(squares).hasSize(20_000);
        for (int i = 0; i < squares.size(); i++) {
            assertThat(squares.get(i)).as("element %d", i).isEqualTo(i * i);
        }
        assertThat(new HashSet<>(lanes)).as("workers that ran a chunk").containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void chunksLargerThanTheRingTravelInFragments() {
        Pool pool = start(Knitting.pool().threads(2).laneCapacity(1 << 14));
        List<String> values = IntStream.range(0, 600).mapToObj(i -> i + "-" + "k".repeat(1000)).toList();

        assertThat(pool.callAll(EchoTasks.ECHO, new ArrayList<Object>(values)).join()).isEqualTo(values);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void theFirstFailingElementFailsTheWholeNamingItsIndexAndLaterChunksDoNotRun() {
        Pool pool = start(Knitting.pool().threads(1));
        String token = token();

        TaskCall<List<Integer>> call = pool.callAll(BatchTasks.STEP, steps(token, 10_000, 300, 301));

        assertThatThrownBy(call::join).isInstanceOf(CompletionException.class)
                .hasMessageContaining("element 300 of 10000")
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("step 300 fails");
        int ran = pool.call(BatchTasks.COUNT, token).join();
        assertThat(ran).as("elements run: 0..300, then at most the first element of each later chunk")
                .isBetween(301, 301 + 10_000 / 256 + 1);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void cancellingTheWholeStopsItsChunksBetweenElements() {
        Pool pool = start(Knitting.pool().threads(1));
        String token = token();
        TaskCall<List<Integer>> call = pool.callAll(BatchTasks.STEP, steps(token, 1000, -1, 0));

        assertThat(call.cancel(true)).isTrue();

        assertThat(call).isCancelled();
        assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
        int ran = pool.call(BatchTasks.COUNT, token).join();
        assertThat(ran).as("every element waits for its abort flag, so at most one per chunk ran").isLessThanOrEqualTo(4);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void abortingTheWholeStopsItsChunksAndFailsItWithTheFirstElementNotRun() {
        Pool pool = start(Knitting.pool().threads(1));
        String token = token();
        TaskCall<List<Integer>> call = pool.callAll(BatchTasks.STEP, steps(token, 1000, -1, 0));

        call.abort();

        Throwable failure = catchFailure(call);
        assertThat(failure).isInstanceOf(CompletionException.class).hasMessageContaining("element");
        assertThat(failure.getCause()).isInstanceOf(CancellationException.class);
        assertThat(pool.call(BatchTasks.COUNT, token).join()).isLessThanOrEqualTo(4);
        assertThat(pool.call(EchoTasks.SQUARE, 7).join()).as("the pool serves on").isEqualTo(49);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void chunksOfATaskThatIgnoresAbortsLeaveAbortSlotsToAbortAwareCalls() {
        Pool pool = start(Knitting.pool().threads(1).abortSignalCapacity(8));
        String token = token();
        TaskCall<Integer> blocker = pool.call(BatchTasks.STEP, new Step(token, 0, -1, 0)); // holds the worker
        TaskCall<List<Integer>> batch = pool.callAll(EchoTasks.SQUARE, range(20 * 256)); // 20 chunks queued behind

        TaskCall<Integer> abortAware = pool.call(BatchTasks.STEP, new Step(token, 3, -1, -1));
        blocker.cancel(true);

        assertThat(abortAware.join()).isEqualTo(6);
        assertThat(batch.join()).hasSize(20 * 256);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void theTasksTimeoutAppliesToTheWhole() {
        Pool pool = start(Knitting.pool().threads(2));
        String token = token();

        Throwable failure = failureOf(pool.callAll(BatchTasks.STEP_TIMEOUT_FAIL, steps(token, 100, -1, 50)));

        assertThat(failure).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("100 elements");
        assertThat(pool.callAll(EchoTasks.SQUARE, range(10)).join()).as("the pool serves on").hasSize(10);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void aFallbackTimeoutGivesTheFallbackToEveryElementWithoutAResult() {
        Pool pool = start(Knitting.pool().threads(2));
        String token = token();

        List<Integer> results = pool.callAll(BatchTasks.STEP_TIMEOUT_FALLBACK, steps(token, 100, -1, 50)).join();

        assertThat(results).hasSize(100);
        for (int i = 0; i < 100; i++) {
            if (i >= 50) {
                assertThat(results.get(i)).as("blocked element %d", i).isEqualTo(-1);
            } else {
                assertThat(results.get(i)).as("element %d", i).isIn(2 * i, -1);
            }
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void anElementAboveThePayloadLimitFailsTheWholeNamingIt() {
        Pool pool = start(Knitting.pool().threads(1).maxPayloadBytes(64 * 1024));
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            values.add(i == 17 ? new byte[100_000] : new byte[10]);
        }

        Throwable failure = failureOf(pool.callAll(EchoTasks.ECHO, values));

        assertThat(failure).isInstanceOf(PayloadException.class).hasMessageContaining("element 17 of 40");
        assertThat(pool.call(EchoTasks.SQUARE, 3).join()).as("the lane stays healthy").isEqualTo(9);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void elementsThatFitOneByOneGoInSmallerChunksWhenTogetherTheyExceedTheLimit() {
        Pool pool = start(Knitting.pool().threads(1).maxPayloadBytes(64 * 1024));
        List<Object> values = IntStream.range(0, 100).mapToObj(i -> (Object) ("v" + i + "x".repeat(4000))).toList();

        assertThat(pool.callAll(EchoTasks.ECHO, values).join()).isEqualTo(values);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void anUnsupportedElementFailsTheWholeNamingIt() {
        Pool pool = start(Knitting.pool().threads(1));
        List<Object> values = new ArrayList<>(range(10));
        values.set(4, new Object());

        Throwable failure = failureOf(pool.callAll(EchoTasks.ECHO, values));

        assertThat(failure).isInstanceOf(PayloadException.class).hasMessageContaining("element 4 of 10");
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void theInlineLaneRunsChunksAsAWorkerWould() {
        Pool pool = start(Knitting.pool().threads(1).inlineLane(1));

        List<TaskCall<List<Integer>>> calls = IntStream.range(0, 20)
                .mapToObj(i -> pool.callAll(EchoTasks.SQUARE, range(1000))).toList();

        for (TaskCall<List<Integer>> call : calls) {
            assertThat(call.join()).isEqualTo(IntStream.range(0, 1000).mapToObj(i -> i * i).toList());
        }
        Throwable failure = catchFailure(pool.callAll(BatchTasks.STEP, steps(token(), 600, 550, -1)));
        assertThat(failure).isInstanceOf(CompletionException.class).hasMessageContaining("element 550 of 600");
        assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void aShutDownPoolFailsCallAllWithPoolClosedException() {
        Pool pool = start(Knitting.pool().threads(1));
        pool.shutdown().join();

        assertThat(failureOf(pool.callAll(EchoTasks.SQUARE, range(5)))).isInstanceOf(PoolClosedException.class);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void aSingleTaskPoolCallsAllToo() {
        try (SingleTaskPool<Integer, Integer> single = EchoTasks.SQUARE.pool(b -> withWorkerKind(b).threads(1))) {
            assertThat(single.callAll(range(5)).join()).containsExactly(0, 1, 4, 9, 16);
        }
    }

    private static Throwable catchFailure(TaskCall<?> call) {
        try {
            call.join();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected the call to fail");
    }
}
