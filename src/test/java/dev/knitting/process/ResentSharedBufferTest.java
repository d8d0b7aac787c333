package dev.knitting.process;

import static dev.knitting.process.ProcessTestSupport.await;
import static dev.knitting.process.ProcessTestSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.Knitting;
import dev.knitting.OpenPools;
import dev.knitting.Permission;
import dev.knitting.Pool;
import dev.knitting.TaskCall;
import dev.knitting.WorkerCrashedException;
import dev.knitting.WorkerRuntime;
import dev.knitting.process.fixtures.CrashTasks;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.testtasks.BufferTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call the dead worker had not taken goes to its replacement, and a shared buffer in it goes
 * along: the descriptor is handed over again, to the replacement's own channel.
 */
class ResentSharedBufferTest {
    private final OpenPools pools = new OpenPools();
    @TempDir
    Path dir;

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void closePools() {
        pools.shutdownAll();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void aQueuedCallCarryingASharedBufferIsAnsweredByTheReplacement() throws IOException {
        Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1)
                .permission(Permission.strict().allowWrite(dir)).start(CrashTasks.class, BufferTasks.class);
        pools.add(pool);
        Path mark = dir.resolve("running");
        TaskCall<String> taken = pool.call(CrashTasks.RUN_FOREVER, mark.toString());
        await("the worker runs the endless task", () -> readable(mark), () -> "no " + mark);
        long pid = Long.parseLong(Files.readString(mark).trim());
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(4096)) {
            buffer.segment().fill((byte) 3);
            TaskCall<Long> queued = pool.call(BufferTasks.SUM, buffer);

            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

            assertThat(failureOf(taken)).isInstanceOf(WorkerCrashedException.class);
            assertThat(queued.join()).as("the sum the replacement read").isEqualTo(3L * 4096);
            assertThat(pool.call(BufferTasks.SUM, buffer).join()).as("and again").isEqualTo(3L * 4096);
        }
    }

    private static boolean readable(Path mark) {
        try {
            return Files.exists(mark) && !Files.readString(mark).isBlank();
        } catch (IOException e) {
            return false;
        }
    }
}
