package dev.knitting;

import static dev.knitting.ContractSupport.failureOf;
import static dev.knitting.WorkerOnlyClasses.BOOT;
import static dev.knitting.WorkerOnlyClasses.PLUGIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.testtasks.ImportingTasks;
import dev.knitting.testtasks.SlowTasks;
import dev.knitting.testtasks.SlowTasks.Spin;
import dev.knitting.testtasks.SlowTasks.Where;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Imported tasks and the worker bootstrap, written once for every worker kind (one subclass per
 * kind). The classes involved are compiled at test time into a folder the test JVM's class path
 * does not have ({@link WorkerOnlyClasses}): the host reaches them only by name, workers only
 * through {@link PoolBuilder#workerClassPath}. Waits are on futures only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ImportAndBootstrapContractTest {
    static final Task<String, String> SHOUT = Task.imported(PLUGIN, "SHOUT");
    static final Task<String, String> GREET = Task.imported(PLUGIN, "greet");
    static final Task<Object, Map<String, Object>> STATE = Task.imported(PLUGIN, "STATE");
    static final Task<Integer, Object> SPOT = Task.imported(PLUGIN, "SPOT");
    static final Task<Integer, Integer> HALT = Task.imported(PLUGIN, "HALT");

    private Path workerClasses;
    private final OpenPools pools = new OpenPools();

    /** Configures {@code builder} for this suite's worker kind. */
    protected abstract PoolBuilder withWorkerKind(PoolBuilder builder);

    /** @return whether workers are threads of this JVM */
    protected abstract boolean workersShareHeap();

    /** What a start failure caused on a worker says besides its message (cause or stderr tail). */
    protected abstract void assertBootFailureDetails(Throwable failure);

    @BeforeAll
    void compileWorkerOnlyClasses(@TempDir Path dir) {
        workerClasses = WorkerOnlyClasses.compileInto(dir);
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
    }

    /** @return a builder of this kind whose workers also load from the compiled folder */
    protected final PoolBuilder builder() {
        return withWorkerKind(Knitting.pool()).workerClassPath(workerClasses);
    }

    protected final Pool start(PoolBuilder builder, Task<?, ?>... tasks) {
        Pool pool = builder.start(tasks);
        pools.add(pool);
        return pool;
    }

    /** @return what {@code start} threw; a pool that started anyway is closed after the test */
    protected final Throwable startFailure(PoolBuilder builder, Task<?, ?>... tasks) {
        return catchThrowable(() -> start(builder, tasks));
    }

    // ---------------------------------------------------------------- imported tasks

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldCallImportedTasksWhoseClassTheHostCannotLoad() {
        assertThatThrownBy(() -> Class.forName(PLUGIN)).as("the host's class path has no plugin")
                .isInstanceOf(ClassNotFoundException.class);
        Pool pool = start(builder().threads(2), SHOUT, GREET);

        List<TaskCall<String>> shouts = IntStream.range(0, 20).mapToObj(i -> pool.call(SHOUT, "knit" + i)).toList();

        for (int i = 0; i < shouts.size(); i++) {
            assertThat(shouts.get(i).join()).isEqualTo("KNIT" + i + "!");
        }
        assertThat(pool.call(GREET, "worker").join()).as("a public static method by name").isEqualTo("hello worker");
        assertThat(pool.call(Task.<String, String>imported(PLUGIN, "SHOUT"), "again").join())
                .as("the same import made again is the same task").isEqualTo("AGAIN!");
        assertThatThrownBy(() -> Class.forName(PLUGIN)).as("still not loaded by the host")
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldCallAllOfAnImportedTaskOnWorkersOnlyEvenWithAnInlineLane() {
        Pool pool = start(builder().threads(1).inlineLane(1), SHOUT);
        List<String> words = IntStream.range(0, 600).mapToObj(i -> "w" + i).toList();
        List<String> shouted = words.stream().map(w -> w.toUpperCase(java.util.Locale.ROOT) + "!").toList();

        List<TaskCall<List<String>>> calls = IntStream.range(0, 5).mapToObj(i -> pool.callAll(SHOUT, words)).toList();

        for (TaskCall<List<String>> call : calls) {
            assertThat(call.join()).isEqualTo(shouted);
        }
        assertThatThrownBy(() -> Class.forName(PLUGIN)).as("the inline lane never loaded it")
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRunAnImportedTaskExportedAsAFieldOfATaskClass() {
        Pool pool = builder().threads(1).start(ImportingTasks.class);
        pools.add(pool);

        assertThat(pool.call(ImportingTasks.SHOUT, "field").join()).isEqualTo("FIELD!");
        assertThat(pool.call(ImportingTasks.LOWER, "LOCAL").join()).isEqualTo("local");
        assertThat(pool.call(SHOUT, "import").join()).as("the field is the import").isEqualTo("IMPORT!");
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailOnlyThatCallWhenTheHostCannotLoadTheRecordAnImportedTaskReturns() {
        Pool pool = start(builder().threads(1), SPOT, SHOUT);

        Throwable failure = failureOf(pool.call(SPOT, 3));

        assertThat(failure).isInstanceOf(PayloadException.class).hasMessageContaining(PLUGIN + "$Spot")
                .hasMessageContaining("cannot load");
        assertThat(pool.call(SHOUT, "healthy").join()).isEqualTo("HEALTHY!");
    }

    /** The table has one row per import; the timeout is the one of the task object passed to {@code call}. */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldHonourTheTimeoutOfAnImportedTask() {
        Task<Long, String> nap = Task.imported(PLUGIN, "NAP");
        Pool pool = start(builder().threads(1), nap);

        String fallback = pool.call(nap.timeout(Duration.ofMillis(50), "late"), 2_000L).join();
        Throwable failure = failureOf(pool.call(nap.timeout(Duration.ofMillis(50)), 2_000L));

        assertThat(fallback).isEqualTo("late");
        assertThat(failure).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("import:" + PLUGIN + "#NAP");
    }

    @ParameterizedTest(name = "{0}#{1}")
    @CsvSource({
        "com.example.plugin.Missing, run, cannot be loaded on the worker",
        "com.example.plugin.Plugin, nothing, no static Task field and no public static one-argument method",
        "com.example.plugin.Plugin, twice, is ambiguous",
        "com.example.plugin.Plugin, HIDDEN, is not public",
    })
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailStartNamingAnImportedTaskTheWorkerCannotResolve(String className, String member, String reason) {
        Throwable failure = startFailure(builder().threads(1), SHOUT, Task.imported(className, member));

        assertThat(failure).isInstanceOf(KnittingException.class).hasMessageContaining("failed to start")
                .hasMessageContaining("import:" + className + "#" + member).hasMessageContaining(reason);
        assertBootFailureDetails(failure);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldRefuseImportedTasksWhenTheInlineLaneIsTheOnlyLane() {
        Throwable failure = startFailure(builder().threads(0).inlineLane(1), SHOUT);

        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("import:" + PLUGIN + "#SHOUT").hasMessageContaining("threads(0)")
                .hasMessageContaining("inline lane");
    }

    /**
     * With the inline lane taking part from the first call in flight, a long call keeps the lane
     * eligible: local calls then also run on the calling thread, imported calls never do.
     */
    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldNeverRunAnImportedTaskOnTheInlineLane() {
        Pool pool = start(builder().threads(1).inlineLane(1), SlowTasks.SPIN, SlowTasks.WHERE, STATE);
        TaskCall<String> spin = pool.call(SlowTasks.SPIN, new Spin("inline-" + System.nanoTime(), 20_000));

        List<TaskCall<Map<String, Object>>> imported = IntStream.range(0, 20).mapToObj(i -> pool.call(STATE, i)).toList();
        List<TaskCall<Where>> local = IntStream.range(0, 10).mapToObj(i -> pool.call(SlowTasks.WHERE, 0L)).toList();
        spin.abort();

        assertThat(spin.join()).isEqualTo(SlowTasks.ABORTED);
        assertThat(local).as("the inline lane was taking calls").anySatisfy(c -> assertThat(c.join().isCurrentThread()).isTrue());
        assertThat(imported).allSatisfy(c -> {
            Map<String, Object> state = c.join();
            assertThat(state.get("isMain")).as("ran in a worker").isEqualTo(false);
            assertThat(state.get("worker")).as("the worker lane, not the inline lane's index 1").isEqualTo(0);
            assertThat(state.get("thread")).isNotEqualTo(Thread.currentThread().threadId());
        });
    }

    // ---------------------------------------------------------------- bootstrap

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRunTheBootstrapOncePerWorkerBeforeItsTasksWithItsData() {
        assertThatThrownBy(() -> Class.forName(BOOT)).isInstanceOf(ClassNotFoundException.class);
        Map<String, Object> data = Map.of("model", "weights-v1", "sizes", List.of(1, 2, 3), "scale", 0.5);
        Pool pool = start(builder().threads(2).bootstrap(BOOT, "init", data), STATE);

        Map<Integer, Map<String, Object>> byWorker = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            Map<String, Object> state = pool.call(STATE, i).join();
            byWorker.put((Integer) state.get("worker"), state);
            assertThat(state.get("runs")).as("bootstraps run on this worker").isEqualTo(1);
            assertThat(state.get("data")).as("the data this worker's bootstrap received").isEqualTo(data);
            assertThat(state.get("runsSeenAtInit")).as("bootstraps run before the task class was initialised")
                    .isEqualTo(1);
        }

        assertThat(byWorker).as("both workers answered").containsOnlyKeys(0, 1);
        String where = workersShareHeap() ? "thread" : "pid";
        assertThat(byWorker.get(0).get(where)).isNotEqualTo(byWorker.get(1).get(where));
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldLetTheBootstrapKeepASharedBufferFromItsDataForTheWorkersLifetime() {
        dev.knitting.shm.ProcessSharedBuffer table = dev.knitting.shm.ProcessSharedBuffer.create(4096);
        table.segment().fill((byte) 3);
        Pool pool = start(builder().threads(1).bootstrap(BOOT, "init", table), STATE);
        table.close(); // the pool holds the buffer for workers yet to come

        try (dev.knitting.shm.ProcessSharedBuffer kept =
                     (dev.knitting.shm.ProcessSharedBuffer) pool.call(STATE, null).join().get("data")) {
            assertThat(kept.byteSize()).isEqualTo(4096);
            assertThat(kept.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4095)).isEqualTo((byte) 3);
            kept.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 9); // the worker's mapping sees it
        }
        try (dev.knitting.shm.ProcessSharedBuffer again =
                     (dev.knitting.shm.ProcessSharedBuffer) pool.call(STATE, null).join().get("data")) {
            assertThat(again.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 9);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRefuseBootstrapDataCarryingAReferenceWhichCannotGoToEveryWorker() {
        dev.knitting.unsafe.BufferReference reference = dev.knitting.unsafe.BufferReference.allocate(8);

        Throwable failure = startFailure(builder().threads(1).bootstrap(BOOT, "init", reference), STATE);

        assertThat(failure).isInstanceOf(PayloadException.class).hasMessageContaining("BufferReference");
        assertThat(reference.isOwned()).isTrue();
        reference.release();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldDeliverBootstrapDataLargerThanTheLaneIntact() {
        byte[] data = new byte[300_000];
        new Random(4).nextBytes(data);
        Pool pool = start(builder().threads(1).laneCapacity(4096).bootstrap(BOOT, "init", data), STATE);

        Map<String, Object> state = pool.call(STATE, null).join();

        assertThat(state.get("runs")).isEqualTo(1);
        assertThat((byte[]) state.get("data")).isEqualTo(data);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRunABootstrapMethodWithoutParameters() {
        Pool pool = start(builder().threads(1).bootstrap(BOOT, "noArguments", "ignored"), STATE);

        Map<String, Object> state = pool.call(STATE, null).join();

        assertThat(state.get("runs")).isEqualTo(1);
        assertThat(state.get("data")).isEqualTo("no arguments");
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailStartWithTheMessageOfABootstrapThatThrows() {
        Throwable failure = startFailure(builder().threads(2).bootstrap(BOOT, "refuse", "no licence"), STATE);

        assertThat(failure).isInstanceOf(KnittingException.class).hasMessageContaining("failed to start")
                .hasMessageContaining("bootstrap refused: no licence");
        assertBootFailureDetails(failure);
        if (workersShareHeap()) {
            assertThat(failure).hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage("bootstrap refused: no licence");
        }
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({
        "com.example.plugin.NoBoot, init, class com.example.plugin.NoBoot cannot be loaded on the worker",
        "com.example.plugin.PluginBoot, missing, has no public static method missing with one parameter or none",
        "com.example.plugin.PluginBoot, pair, has no public static method pair with one parameter or none",
    })
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldFailStartClearlyWhenTheBootstrapCannotBeFound(String className, String method, String reason) {
        Throwable failure = startFailure(builder().threads(1).bootstrap(className, method, null), STATE);

        assertThat(failure).isInstanceOf(KnittingException.class).hasMessageContaining("failed to start")
                .hasMessageContaining("bootstrap " + className + "." + method).hasMessageContaining(reason);
        assertBootFailureDetails(failure);
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldFailStartWithPayloadExceptionWhenTheBootstrapDataCannotTravel() {
        Throwable failure = startFailure(builder().threads(1).bootstrap(BOOT, "init", new Object()), STATE);

        assertThat(failure).isInstanceOf(PayloadException.class).hasMessageContaining("bootstrap data")
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void shouldRefuseABootstrapCombinedWithTheInlineLane() {
        Throwable failure = startFailure(builder().threads(1).inlineLane(2).bootstrap(BOOT, "init", 1), STATE);

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrap")
                .hasMessageContaining("inline lane");
    }
}
