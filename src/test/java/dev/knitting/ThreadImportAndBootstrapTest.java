package dev.knitting;

import static dev.knitting.WorkerOnlyClasses.BOOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Imported tasks and the bootstrap with thread workers, which load worker-only classes through one
 * class loader per pool over the workerClassPath entries.
 */
final class ThreadImportAndBootstrapTest extends ImportAndBootstrapContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.THREAD);
    }

    @Override
    protected boolean workersShareHeap() {
        return true;
    }

    @Override
    protected void assertBootFailureDetails(Throwable failure) {
        assertThat(failure.getCause()).as("the worker thread's exception").isInstanceOf(KnittingException.class);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldLoadWorkerOnlyClassesThroughOneLoaderPerPool() {
        Pool first = start(builder().threads(2).bootstrap(BOOT, "init", "first"), STATE);
        Pool second = start(builder().threads(1).bootstrap(BOOT, "init", "second"), STATE);

        Set<Object> firstLoaders = IntStream.range(0, 10).mapToObj(i -> first.call(STATE, i).join())
                .map(s -> s.get("loader")).collect(Collectors.toSet());
        Map<String, Object> secondState = second.call(STATE, null).join();

        assertThat(firstLoaders).singleElement().asString().endsWith("-worker-classes");
        assertThat(secondState.get("loader")).as("another pool, another loader").isNotIn(firstLoaders);
        assertThat(secondState.get("runs")).as("statics of the other pool's classes are not shared").isEqualTo(1);
        assertThat(secondState.get("data")).isEqualTo("second");
    }
}
