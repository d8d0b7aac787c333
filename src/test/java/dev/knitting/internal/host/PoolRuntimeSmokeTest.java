package dev.knitting.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.TaskCall;
import dev.knitting.WorkerRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PoolRuntimeSmokeTest {
    @Test
    void answersCallsThroughTheLanes() {
        answersCallsThroughTheLanesOf(WorkerRuntime.THREAD);
    }

    @Test
    void answersCallsThroughProcessWorkers() {
        answersCallsThroughTheLanesOf(WorkerRuntime.PROCESS);
    }

    private void answersCallsThroughTheLanesOf(WorkerRuntime runtime) {
        try (Pool pool = Knitting.pool().threads(2).runtime(runtime).start(HostTestTasks.class)) {
            assertThat(pool.call(HostTestTasks.SQUARE, 7).join()).isEqualTo(49);
            assertThat(pool.call(HostTestTasks::cube, 3).join()).isEqualTo(27);
            assertThat(pool.call(HostTestTasks.ECHO, List.of("a", 1, 2.5)).join()).isEqualTo(List.of("a", 1, 2.5));
            assertThatThrownBy(() -> pool.call(HostTestTasks.FAIL, "boom").join())
                    .isInstanceOf(CompletionException.class).cause()
                    .isInstanceOf(IllegalStateException.class).hasMessage("boom");
            List<TaskCall<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                calls.add(pool.call(HostTestTasks.SQUARE, i));
            }
            for (int i = 0; i < calls.size(); i++) {
                assertThat(calls.get(i).join()).isEqualTo(i * i);
            }
        }
    }
}
