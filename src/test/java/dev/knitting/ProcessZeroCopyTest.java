package dev.knitting;

import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.testtasks.BufferTasks;
import dev.knitting.testtasks.EchoTasks;
import dev.knitting.testtasks.SlowTasks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Zero-copy payloads with process workers: buffers are mapped by both JVMs; references are refused. */
final class ProcessZeroCopyTest extends ZeroCopyContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }

    @Override
    protected boolean movesReferences() {
        return false;
    }

    @Test
    void shouldUnmapABufferInTheWorkerOnceItsCallIsOver() throws Exception {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1)
                .start(BufferTasks.class, EchoTasks.class, SlowTasks.class);
             ProcessSharedBuffer buffer = ProcessSharedBuffer.create(1 << 20)) {
            long workerPid = pool.call(SlowTasks.WHERE, 0L).join().pid();

            assertThat(pool.call(BufferTasks.SUM, buffer).join()).isZero();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (bufferMappings(workerPid) > 0 && System.nanoTime() < deadline) {
                pool.call(EchoTasks.SQUARE, 2).join(); // wakes the worker, which then lets go of what it held
            }
            assertThat(bufferMappings(workerPid)).as("mappings of shared buffers in the worker").isZero();
        }
    }

    private static long bufferMappings(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                .filter(line -> line.contains("memfd:knitting-psb")).count();
    }
}
