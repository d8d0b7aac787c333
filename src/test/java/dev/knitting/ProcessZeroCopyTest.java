package dev.knitting;

import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.testtasks.BufferTasks;
import dev.knitting.testtasks.EchoTasks;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.share.KeptBufferWord;
import dev.knitting.internal.share.NativeBlock;
import dev.knitting.testtasks.HostileReferenceTasks;
import dev.knitting.testtasks.ReferenceKeyTasks;
import dev.knitting.unsafe.BufferReference;
import dev.knitting.testtasks.SlowTasks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
     * The kept-buffer slots: the first call hands the buffer's descriptor over and asks the worker to
     * keep it; every later call names the slot only, and still sees what the host wrote meanwhile.
     */
    @Test
    void shouldHandABufferOverOnceAndSendItBySlotAfterThat() {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).start(BufferTasks.class);
             ProcessSharedBuffer buffer = ProcessSharedBuffer.create(4096)) {
            long sentBefore = DescriptorChannel.descriptorsSent();

            for (int i = 1; i <= 20; i++) {
                buffer.segment().fill((byte) i);
                assertThat(pool.call(BufferTasks.SUM, buffer).join()).isEqualTo(4096L * i);
            }

            assertThat(DescriptorChannel.descriptorsSent() - sentBefore).as("descriptors handed over").isEqualTo(1);
        }
    }

    /**
     * More buffers than the worker keeps (slots and its own cache): every call still finds its own
     * buffer's bytes, the worker's mappings stay bounded, and buffers sent again after being pushed
     * out of their slot are handed over again rather than lost.
     */
    @Test
    void shouldServeMoreBuffersThanTheWorkerKeepsAndKeepItsMappingsBounded() throws Exception {
        int count = KeptBufferWord.SLOTS * 3;
        List<ProcessSharedBuffer> buffers = new ArrayList<>();
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1)
                .start(BufferTasks.class, SlowTasks.class)) {
            long workerPid = pool.call(SlowTasks.WHERE, 0L).join().pid();
            for (int i = 0; i < count; i++) {
                ProcessSharedBuffer buffer = ProcessSharedBuffer.create(1024);
                buffer.segment().fill((byte) (i + 1));
                buffers.add(buffer);
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < count; i++) {
                    assertThat(pool.call(BufferTasks.SUM, buffers.get(i)).join()).as("buffer %d, round %d", i, round)
                            .isEqualTo(1024L * (i + 1));
                }
                for (int i = 0; i < 3; i++) { // the most recent ones, by slot
                    assertThat(pool.call(BufferTasks.SUM, buffers.get(count - 1 - i)).join())
                            .isEqualTo(1024L * (count - i));
                }
            }
            assertThat(bufferMappings(workerPid)).as("the worker's mappings: slots plus its own cache")
                    .isLessThanOrEqualTo(2L * KeptBufferWord.SLOTS);
        } finally {
            buffers.forEach(ProcessSharedBuffer::close);
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

    /**
     * The key path: a reference that went there and back once moves by key alone after that (no new
     * mapping or descriptor in the host), the worker keeps one mapping of it while the host owns it,
     * and lets it go once the host released the reference.
     */
    @Test
    void shouldMoveALargeReferenceByKeyAfterItsFirstTripAndLetTheWorkersMappingGoOnceReleased() throws Exception {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).permission(Permission.unsafe())
                .start(ReferenceKeyTasks.class, EchoTasks.class, SlowTasks.class)) {
            long workerPid = pool.call(SlowTasks.WHERE, 0L).join().pid();
            long hostMappings = referenceMappings("self");
            long hostDescriptors = descriptors();
            BufferReference reference = BufferReference.allocate(NativeBlock.SHAREABLE_FROM);
            reference = pool.call(ReferenceKeyTasks.BUMP_FIRST, reference).join();

            for (int i = 0; i < 20; i++) {
                reference = pool.call(ReferenceKeyTasks.BUMP_FIRST, reference).join();
                assertThat(referenceMappings("self")).isEqualTo(hostMappings + 1);
                assertThat(descriptors()).isLessThanOrEqualTo(hostDescriptors + 1 + 4); // other threads may open some
            }
            assertThat(reference.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 21);
            assertThat(referenceMappings(Long.toString(workerPid))).as("the worker keeps one mapping").isEqualTo(1);

            reference.release();
            assertThat(referenceMappings("self")).isEqualTo(hostMappings);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (referenceMappings(Long.toString(workerPid)) > 0 && System.nanoTime() < deadline) {
                pool.call(EchoTasks.SQUARE, 2).join(); // each pass of the worker loop lets freed memory go
            }
            assertThat(referenceMappings(Long.toString(workerPid))).as("the worker's mapping of freed memory").isZero();
        }
    }

    /**
     * A hostile worker answering with a reference that claims to travel by key alone reaches nothing
     * of the host's: a key never issued, a key of memory lent to another worker, of memory the host
     * owns again, or of memory the host released, fails the call with a protocol error and maps
     * nothing; the worker goes on serving.
     */
    @Test
    void shouldRefuseAKeyOfAnythingButMemoryLentToThatSameWorkerAndMapNothing() throws Exception {
        try (Pool first = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).permission(Permission.unsafe())
                .start(ReferenceKeyTasks.class, BufferTasks.class);
             Pool second = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).permission(Permission.unsafe())
                     .start(ReferenceKeyTasks.class)) {
            BufferReference heldThere = BufferReference.allocate(NativeBlock.SHAREABLE_FROM);
            long lentToFirst = ReferenceKeyTasks.keyOf(heldThere);
            assertThat(first.call(ReferenceKeyTasks.HOLD, heldThere).join()).isEqualTo(NativeBlock.SHAREABLE_FROM);
            BufferReference back = first.call(ReferenceKeyTasks.BUMP_FIRST,
                    BufferReference.allocate(NativeBlock.SHAREABLE_FROM)).join();
            long ownedHere = ReferenceKeyTasks.keyOf(back);
            long mappings = referenceMappings("self");

            assertRefused(first.call(ReferenceKeyTasks.FORGE_KEY, 0x5eed_5eedL), "a key never issued");
            assertRefused(second.call(ReferenceKeyTasks.FORGE_KEY, lentToFirst), "a key lent to another worker");
            assertRefused(first.call(ReferenceKeyTasks.FORGE_KEY, ownedHere), "a key of memory the host owns again");
            back.release();
            assertRefused(first.call(ReferenceKeyTasks.FORGE_KEY, ownedHere), "a key of memory the host released");

            assertThat(referenceMappings("self")).isEqualTo(mappings - 1);
            try (BufferReference served = first.call(BufferTasks.INCREMENT, BufferReference.allocate(8)).join()) {
                assertThat(served.toByteArray()[0]).isEqualTo((byte) 1);
            }
        }
    }

    /**
     * A hostile worker writes the freed word of a reference it holds: the host lets go of the
     * mapping it kept (the memory is the worker's now, so that costs the host nothing of its own),
     * and when the worker later gives the reference back by key, the call fails with a protocol
     * error and maps nothing; the worker goes on serving.
     */
    @Test
    void shouldLetGoOfAReferenceAWorkerSaysWasFreedAndRefuseItByKeyAfterwards() throws Exception {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1).permission(Permission.unsafe())
                .start(ReferenceKeyTasks.class, BufferTasks.class)) {
            long mappings = referenceMappings("self");
            BufferReference reference = BufferReference.allocate(NativeBlock.SHAREABLE_FROM);
            assertThat(pool.call(ReferenceKeyTasks.HOLD_AND_SAY_FREED, reference).join())
                    .isEqualTo(NativeBlock.SHAREABLE_FROM);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (referenceMappings("self") != mappings && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // the host's pump sweeps once a park slice (up to 2 s idle)
            }
            assertThat(referenceMappings("self")).as("the host's kept mapping of the memory it lent").isEqualTo(mappings);

            assertRefused(pool.call(ReferenceKeyTasks.GIVE_HELD, 0), "a key of memory the worker said was freed");
            assertThat(referenceMappings("self")).isEqualTo(mappings);
            try (BufferReference served = pool.call(BufferTasks.INCREMENT, BufferReference.allocate(8)).join()) {
                assertThat(served.toByteArray()[0]).isEqualTo((byte) 1);
            }
        }
    }

    private static void assertRefused(TaskCall<BufferReference> call, String what) {
        assertThatThrownBy(call::join).as(what).cause().isInstanceOf(ProtocolException.class)
                .hasMessageContaining("no descriptor was handed over");
    }

    private static long referenceMappings(String pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                .filter(line -> line.contains("memfd:" + NativeBlock.DEBUG_NAME)).count();
    }

    private static long descriptors() throws IOException {
        try (java.util.stream.Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }

    private static long bufferMappings(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                .filter(line -> line.contains("memfd:knitting-psb")).count();
    }
}
