package dev.knitting;

import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.testtasks.BufferTasks;
import dev.knitting.testtasks.EchoTasks;
import dev.knitting.testtasks.HostileReferenceTasks;
import dev.knitting.unsafe.BufferReference;
import dev.knitting.testtasks.SlowTasks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Zero-copy payloads with process workers: buffers are mapped by both JVMs; references move as memfds. */
final class ProcessZeroCopyTest extends ZeroCopyContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }

    @Test
    void shouldKeepAMappingForTheNextCallWhileTheCallerHoldsTheBufferAndUnmapItOnceClosed() throws Exception {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1)
                .start(BufferTasks.class, EchoTasks.class, SlowTasks.class)) {
            long workerPid = pool.call(SlowTasks.WHERE, 0L).join().pid();
            ProcessSharedBuffer buffer = ProcessSharedBuffer.create(1 << 20);

            for (int i = 0; i < 5; i++) {
                assertThat(pool.call(BufferTasks.SUM, buffer).join()).isZero();
            }
            assertThat(bufferMappings(workerPid)).as("one mapping, reused call after call").isEqualTo(1);

            buffer.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (bufferMappings(workerPid) > 0 && System.nanoTime() < deadline) {
                pool.call(EchoTasks.SQUARE, 2).join(); // each pass of the worker loop lets unused mappings go
            }
            assertThat(bufferMappings(workerPid)).as("mappings of shared buffers in the worker").isZero();
        }
    }

    /**
     * The trust decision: a reference a strict pool's worker gives back is copied into memory the
     * worker never saw, so a worker that kept a mapping of it and writes on changes nothing the
     * caller holds. An unsafe pool adopts the worker's memory as it is: the write shows.
     */
    @Test
    void shouldCopyAReferenceAStrictWorkerGivesBackSoItsLaterWritesCannotReachTheCaller() {
        try (Pool strict = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1)
                .start(HostileReferenceTasks.class);
             Pool unsafe = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).permission(Permission.unsafe())
                     .start(HostileReferenceTasks.class)) {
            try (BufferReference copied = strict.call(HostileReferenceTasks.GIVE_BACK_BUT_KEEP,
                    BufferReference.allocate(HostileReferenceTasks.SIZE)).join()) {
                assertThat(strict.call(HostileReferenceTasks.SCRIBBLE, 0).join()).as("the worker kept a mapping").isTrue();
                byte[] bytes = copied.toByteArray();
                assertThat(bytes).hasSize(HostileReferenceTasks.SIZE).containsOnly(1);
            }
            try (BufferReference adopted = unsafe.call(HostileReferenceTasks.GIVE_BACK_BUT_KEEP,
                    BufferReference.allocate(HostileReferenceTasks.SIZE)).join()) {
                assertThat(unsafe.call(HostileReferenceTasks.SCRIBBLE, 0).join()).isTrue();
                assertThat(adopted.segment().get(ValueLayout.JAVA_BYTE, 4096)).isEqualTo((byte) 0x55);
            }
        }
    }

    private static long bufferMappings(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                .filter(line -> line.contains("memfd:knitting-psb")).count();
    }
}
