package dev.knitting.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.Task;
import dev.knitting.TaskContext;
import dev.knitting.internal.task.ApiAccess;
import dev.knitting.internal.task.TaskDefinition;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link BatchRunner}: one answer per chunk, elements in order, stopping at a failure or an abort. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchRunnerTest {
    private final List<Object[]> answers = new CopyOnWriteArrayList<>();
    private final TaskRunner.Answer answer = (status, value) -> answers.add(new Object[] {status, value});

    private static TaskDefinition definition(Task<?, ?> task) {
        return ApiAccess.get().definition(task);
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static TaskContext contextAbortedFrom(AtomicInteger runs, int abortAfterRuns) {
        return new TaskContext() {
            @Override
            public boolean aborted() {
                return runs.get() >= abortAfterRuns;
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public int workerIndex() {
                return 0;
            }
        };
    }

    @Test
    void aSynchronousChunkAnswersOnceWithEveryResultInOrder() {
        BatchRunner.run(definition(Task.<Integer, Integer>of(v -> v * 3)), range(1000),
                contextAbortedFrom(new AtomicInteger(), Integer.MAX_VALUE), answer);

        assertThat(answers).hasSize(1);
        assertThat(answers.getFirst()[0]).isEqualTo(ResponseStatus.VALUE);
        assertThat(answers.getFirst()[1]).isEqualTo(IntStream.range(0, 1000).mapToObj(i -> 3 * i).toList());
    }

    @Test
    void theFirstFailingElementEndsTheChunkWithItsIndex() {
        AtomicInteger runs = new AtomicInteger();
        BatchRunner.run(definition(Task.<Integer, Integer>of(v -> {
            runs.incrementAndGet();
            if (v == 7) {
                throw new IllegalArgumentException("seven");
            }
            return v;
        })), range(20), contextAbortedFrom(new AtomicInteger(), Integer.MAX_VALUE), answer);

        assertThat(runs.get()).as("elements after the failure do not run").isEqualTo(8);
        assertThat(answers).hasSize(1);
        assertThat(answers.getFirst()[0]).isEqualTo(ResponseStatus.ELEMENT_FAILURE);
        List<?> pair = (List<?>) answers.getFirst()[1];
        assertThat(pair.get(0)).isEqualTo(7);
        assertThat((Throwable) pair.get(1)).isInstanceOf(IllegalArgumentException.class).hasMessage("seven");
    }

    @Test
    void anAbortStopsTheChunkBetweenElements() {
        AtomicInteger runs = new AtomicInteger();
        BatchRunner.run(definition(Task.<Integer, Integer>of(v -> runs.incrementAndGet())), range(20),
                contextAbortedFrom(runs, 5), answer);

        assertThat(runs.get()).isEqualTo(5);
        List<?> pair = (List<?>) answers.getFirst()[1];
        assertThat(answers.getFirst()[0]).isEqualTo(ResponseStatus.ELEMENT_FAILURE);
        assertThat(pair.get(0)).isEqualTo(5);
        assertThat(pair.get(1)).isInstanceOf(CancellationException.class);
    }

    @Test
    void asyncStagesThatCompleteAtOnceDoNotGrowTheStack() {
        int n = 200_000;
        BatchRunner.run(definition(Task.<Integer, Integer>async(v -> CompletableFuture.completedFuture(v + 1))),
                range(n), contextAbortedFrom(new AtomicInteger(), Integer.MAX_VALUE), answer);

        assertThat(answers).hasSize(1);
        assertThat(answers.getFirst()[1]).isEqualTo(IntStream.range(1, n + 1).boxed().toList());
    }

    @Test
    void asyncStagesCompletedOnOtherThreadsRunTheElementsOneAfterAnother() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger running = new AtomicInteger();
        List<Integer> overlaps = new CopyOnWriteArrayList<>();
        try {
            BatchRunner.run(definition(Task.<Integer, Integer>async(v -> {
                if (running.incrementAndGet() != 1) {
                    overlaps.add(v);
                }
                CompletableFuture<Integer> stage = new CompletableFuture<>();
                executor.schedule(() -> {
                    running.decrementAndGet();
                    stage.complete(-v);
                }, 1, TimeUnit.MILLISECONDS);
                return stage;
            })), range(50), contextAbortedFrom(new AtomicInteger(), Integer.MAX_VALUE), answer);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answers.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(overlaps).as("elements whose task started before the previous one ended").isEmpty();
        assertThat(answers).hasSize(1);
        assertThat(answers.getFirst()[1]).isEqualTo(IntStream.range(0, 50).mapToObj(i -> -i).toList());
    }
}
