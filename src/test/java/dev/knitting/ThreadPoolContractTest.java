package dev.knitting;

import static dev.knitting.ContractSupport.awaitCondition;
import static dev.knitting.ContractSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.testtasks.EchoTasks;
import dev.knitting.testtasks.SlowTasks;
import dev.knitting.testtasks.SlowTasks.Spin;
import dev.knitting.testtasks.SlowTasks.Where;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract suite with thread workers, plus what only thread workers can show: tasks share this
 * JVM's heap, so a test can watch a task start and see how it ended without asking a worker.
 */
final class ThreadPoolContractTest extends PoolContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.THREAD);
    }

    @Override
    protected boolean workersShareHeap() {
        return true;
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldRunTasksOnOtherThreadsOfThisProcess() {
        Pool pool = start(builder().threads(2));

        List<Where> wheres = IntStream.range(0, 20).mapToObj(i -> pool.call(SlowTasks.WHERE, 0L)).toList()
                .stream().map(TaskCall::join).toList();

        assertThat(wheres).allSatisfy(w -> {
            assertThat(w.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(w.threadId()).isNotEqualTo(Thread.currentThread().threadId());
            assertThat(w.isMain()).isFalse();
        });
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldRaiseTheAbortFlagOfACallPastTheHardTimeout() {
        Pool pool = start(builder().threads(1).hardTimeout(Duration.ofMillis(300)));
        String token = token();

        Throwable failure = failureOf(pool.call(SlowTasks.SPIN, new Spin(token, 20_000)));

        assertThat(failure).isInstanceOf(TaskTimeoutException.class);
        awaitCondition("the spin ended", () -> SlowTasks.OUTCOMES.containsKey(token), () -> SlowTasks.OUTCOMES);
        assertThat(SlowTasks.OUTCOMES.get(token)).as("the task saw aborted()").isEqualTo(SlowTasks.ABORTED);
        assertThat(pool.call(EchoTasks.SQUARE, 5).join()).isEqualTo(25);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldLetACallRaiseItsAbortFlagWhileTheTaskIsRunning() {
        Pool pool = start(builder().threads(1));
        String token = token();
        TaskCall<String> call = pool.call(SlowTasks.SPIN, new Spin(token, 20_000));
        awaitCondition("the spin started", () -> SlowTasks.STARTED.contains(token), () -> "not started");
        assertThat(call).as("still spinning before the abort").isNotDone();

        call.abort();

        assertThat(call.join()).isEqualTo(SlowTasks.ABORTED);
        assertThat(SlowTasks.OUTCOMES.get(token)).isEqualTo(SlowTasks.ABORTED);
    }
}
