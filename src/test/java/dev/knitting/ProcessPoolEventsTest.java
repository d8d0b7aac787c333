package dev.knitting;

import static dev.knitting.ContractSupport.awaitCondition;
import static dev.knitting.ContractSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.process.fixtures.CrashTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The events contract with process workers, plus what only they can show: a worker killed from
 * outside is recorded as a crash, its lane's replacement with its cause, the new worker's start,
 * the taken call's failure and the untaken call's second send.
 */
final class ProcessPoolEventsTest extends PoolEventsContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }

    @Override
    protected WorkerRuntime kind() {
        return WorkerRuntime.PROCESS;
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldRecordAKilledWorkerAsACrashFollowedByItsReplacement() throws IOException {
        Recording recording = recordEverything();
        // the task marks its start in a file of the test's: a confined worker writes only where granted
        Pool pool = start(Knitting.pool().threads(1).permission(Permission.strict().allowWrite(dir)), CrashTasks.class);
        Path mark = dir.resolve("running");
        TaskCall<String> taken = pool.call(CrashTasks.RUN_FOREVER, mark.toString());
        awaitCondition("the worker runs the endless task", () -> readable(mark), () -> "no " + mark);
        long pid = Long.parseLong(Files.readString(mark).trim());
        TaskCall<Integer> untaken = pool.call(CrashTasks.SQUARE, 6);

        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

        assertThat(failureOf(taken)).isInstanceOf(WorkerCrashedException.class);
        assertThat(untaken.join()).isEqualTo(36);
        awaitEveryCallEnded(pool);
        List<RecordedEvent> events = stopAndRead(recording);

        String name = poolOfCall(events, "dev.knitting.process.fixtures.CrashTasks#SQUARE");
        List<RecordedEvent> crashes = named(events, WORKER_CRASH, name);
        assertThat(crashes).hasSize(1);
        RecordedEvent crash = crashes.getFirst();
        assertThat(crash.getInt("lane")).isZero();
        assertThat(crash.getLong("pid")).isEqualTo(pid);
        assertThat(crash.getInt("signal")).isEqualTo(9);
        assertThat(crash.getInt("exitCode")).isEqualTo(-1);
        assertThat(crash.getString("cause")).contains("pid " + pid);

        List<RecordedEvent> replacements = named(events, WORKER_REPLACEMENT, name);
        assertThat(replacements).hasSize(1);
        RecordedEvent replacement = replacements.getFirst();
        assertThat(replacement.getInt("lane")).isZero();
        assertThat(replacement.getString("causeType")).isEqualTo(WorkerCrashedException.class.getName());
        assertThat(replacement.getInt("callsResent")).isEqualTo(1);

        List<RecordedEvent> starts = named(events, WORKER_START, name);
        assertThat(starts).extracting(e -> e.getBoolean("replacement")).containsExactly(false, true);
        assertThat(starts.getLast().getLong("pid")).isNotEqualTo(pid);
        assertThat(starts.getLast().getLong("bootTime")).isPositive();

        List<RecordedEvent> calls = named(events, CALL, name);
        RecordedEvent failed = calls.stream().filter(c -> c.getString("task").endsWith("#RUN_FOREVER")).findFirst()
                .orElseThrow();
        assertThat(failed.getString("outcome")).isEqualTo("FAILED");
        assertThat(failed.getString("failure")).isEqualTo(WorkerCrashedException.class.getName());
        assertThat(failed.getLong("bytesOut")).isZero();
        RecordedEvent resent = calls.stream().filter(c -> c.getString("task").endsWith("#SQUARE")).findFirst()
                .orElseThrow();
        assertThat(resent.getString("outcome")).isEqualTo("SUCCESS");
        assertThat(resent.getInt("sends")).isEqualTo(2);
    }

    private static boolean readable(Path mark) {
        try {
            return Files.exists(mark) && !Files.readString(mark).isBlank();
        } catch (IOException e) {
            return false;
        }
    }
}
