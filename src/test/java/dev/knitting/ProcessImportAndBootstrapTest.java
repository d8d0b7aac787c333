package dev.knitting;

import static dev.knitting.ContractSupport.failureOf;
import static dev.knitting.WorkerOnlyClasses.BOOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Imported tasks and the bootstrap with process workers, which get the workerClassPath entries on
 * their class path; plus what only processes show: a replacement worker runs the bootstrap again.
 */
final class ProcessImportAndBootstrapTest extends ImportAndBootstrapContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }

    @Override
    protected boolean workersShareHeap() {
        return false;
    }

    @Override
    protected void assertBootFailureDetails(Throwable failure) {
        assertThat(failure.getMessage()).as("the worker's exit and stderr").contains("exit code").contains("stderr tail");
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRunTheBootstrapAgainInAReplacementWorkerWithTheSameData() {
        Map<String, Object> data = Map.of("version", 7L, "names", List.of("a", "b"));
        Pool pool = start(builder().threads(1).bootstrap(BOOT, "init", data), STATE, HALT);
        Map<String, Object> before = pool.call(STATE, null).join();

        Throwable crash = failureOf(pool.call(HALT, 3));
        Map<String, Object> after = pool.call(STATE, null).join();

        assertThat(crash).isInstanceOf(WorkerCrashedException.class);
        assertThat(after.get("pid")).as("a new worker process").isNotEqualTo(before.get("pid"));
        assertThat(after.get("runs")).as("its bootstrap ran once").isEqualTo(1);
        assertThat(after.get("runsSeenAtInit")).as("before it loaded the task class").isEqualTo(1);
        assertThat(after.get("data")).isEqualTo(data);
        assertThat(pool.stats().workerRestarts()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldFailAParallelStartOfThreeWorkersWithTheFirstWorkersErrorAndLeaveNoWorkerProcess() {
        Set<Long> before = children();

        Throwable failure = startFailure(builder().threads(3).bootstrap(BOOT, "refuse", "no licence"), STATE);

        assertThat(failure).isInstanceOf(KnittingException.class).hasMessageContaining("worker 0 failed to start")
                .hasMessageContaining("bootstrap refused: no licence");
        assertThat(failure.getSuppressed()).as("the other workers' failures").hasSize(2)
                .allSatisfy(other -> assertThat(other).hasMessageContaining("failed to start"));
        Set<Long> left = children();
        left.removeAll(before);
        assertThat(left).as("worker processes still alive after the failed start").isEmpty();
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }
}
