package dev.knitting;

import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.testtasks.BufferTasks;
import dev.knitting.testtasks.BufferTasks.Fill;
import dev.knitting.testtasks.EchoTasks;
import dev.knitting.unsafe.BufferReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

/**
 * Zero-copy payloads, written once and run against each worker kind: shared buffers are shared
 * (both sides see each other's writes), envelopes keep each body's semantics, and references move
 * between a caller and its workers of either kind (to a process worker as a sealed memfd, and by
 * key once both processes keep a mapping).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, threadMode = SEPARATE_THREAD)
abstract class ZeroCopyContractTest {
    private Pool pool;

    protected abstract PoolBuilder withWorkerKind(PoolBuilder builder);

    @BeforeAll
    void startPool() {
        pool = withWorkerKind(Knitting.pool()).threads(1).maxPayloadBytes(1 << 20)
                .start(BufferTasks.class, EchoTasks.class);
    }

    @AfterAll
    void stopPool() {
        pool.shutdownNow().orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }

    // ---------------------------------------------------------------- ProcessSharedBuffer

    @Test
    void shouldLetTheTaskReadWhatTheCallerWroteAndTheCallerReadWhatTheTaskWrote() {
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(1 << 20)) {
            buffer.segment().fill((byte) 2);
            assertThat(pool.call(BufferTasks.SUM, buffer).join()).isEqualTo(2L << 20);

            assertThat(pool.call(BufferTasks.FILL, new Fill(buffer, (byte) 5)).join()).isEqualTo(1L << 20);

            assertThat(buffer.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 5);
            assertThat(buffer.segment().get(ValueLayout.JAVA_BYTE, (1 << 20) - 1)).isEqualTo((byte) 5);
        }
    }

    @Test
    void shouldShareBuffersFarLargerThanTheCallPayloadLimit() {
        long size = 64L << 20; // the pool's maxPayloadBytes is 1 MiB: only the descriptor travels
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(size)) {
            assertThat(pool.call(BufferTasks.FILL, new Fill(buffer, (byte) 1)).join()).isEqualTo(size);

            assertThat(buffer.segment().get(ValueLayout.JAVA_BYTE, size - 1)).isEqualTo((byte) 1);
        }
    }

    @Test
    void shouldSendASliceAsItsOwnRangeOfTheSameBytes() {
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(4096)) {
            ProcessSharedBuffer middle = buffer.slice(1000, 100);

            pool.call(BufferTasks.FILL, new Fill(middle, (byte) 3)).join();

            MemorySegment all = buffer.segment();
            assertThat(all.get(ValueLayout.JAVA_BYTE, 999)).isZero();
            assertThat(all.get(ValueLayout.JAVA_BYTE, 1000)).isEqualTo((byte) 3);
            assertThat(all.get(ValueLayout.JAVA_BYTE, 1099)).isEqualTo((byte) 3);
            assertThat(all.get(ValueLayout.JAVA_BYTE, 1100)).isZero();
            assertThat(pool.call(BufferTasks.SUM, middle).join()).isEqualTo(300L);
        }
    }

    @Test
    void shouldAnswerAnEchoedBufferWithAHandleOnTheSameMemory() {
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(64);
             ProcessSharedBuffer back = pool.call(BufferTasks.ECHO, buffer).join()) {
            back.segment().set(ValueLayout.JAVA_BYTE, 10, (byte) 42);

            assertThat(buffer.segment().get(ValueLayout.JAVA_BYTE, 10)).isEqualTo((byte) 42);
            assertThat(back.byteSize()).isEqualTo(64);
        }
    }

    @Test
    void shouldDeliverABufferTheWorkerCreatedWithItsBytes() {
        try (ProcessSharedBuffer made = pool.call(BufferTasks.CREATE_SEVENS, 10_000).join()) {
            assertThat(made.byteSize()).isEqualTo(10_000);
            assertThat(made.segment().get(ValueLayout.JAVA_BYTE, 9_999)).isEqualTo((byte) 7);
            assertThat(pool.call(BufferTasks.SUM, made).join()).isEqualTo(70_000L);
        }
    }

    @Test
    void shouldCloseTheTasksHandleWhenItsCallIsOver() {
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(16)) {
            pool.call(BufferTasks.KEEP, buffer).join();

            assertThat(pool.call(BufferTasks.READ_KEPT, null).join()).isEqualTo("IllegalStateException");
        }
    }

    @Test
    void shouldKeepTheMemoryMappedForACallInFlightWhenTheCallerClosesItsBuffer() {
        ProcessSharedBuffer buffer = ProcessSharedBuffer.create(8192);
        buffer.segment().fill((byte) 1);

        CompletableFuture<Long> sum = pool.call(BufferTasks.SUM, buffer);
        buffer.close(); // the call holds the memory until it is over

        assertThat(sum.join()).isEqualTo(8192L);
        assertThatThrownBy(buffer::segment).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void shouldFailACallCarryingAClosedBufferWithAPayloadExceptionAndKeepServing() {
        ProcessSharedBuffer buffer = ProcessSharedBuffer.create(64);
        buffer.close();

        assertThatThrownBy(() -> pool.call(BufferTasks.SUM, buffer).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(PayloadException.class).hasMessageContaining("ProcessSharedBuffer cannot be sent");
        assertThat(pool.call(EchoTasks.SQUARE, 9).join()).isEqualTo(81);
    }

    @Test
    void shouldShareANamedBufferTooAndKeepItsName() {
        String name = "knitting-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(name, 4096)) {
            pool.call(BufferTasks.FILL, new Fill(buffer, (byte) 4)).join();

            assertThat(buffer.segment().get(ValueLayout.JAVA_BYTE, 4095)).isEqualTo((byte) 4);
            try (ProcessSharedBuffer back = pool.call(BufferTasks.ECHO, buffer).join()) {
                assertThat(back.name()).contains(name);
            }
        } finally {
            ProcessSharedBuffer.unlink(name);
        }
    }

    // ---------------------------------------------------------------- Envelope

    @Test
    void shouldCopyEnvelopeBodiesOfByteArraysByteBuffersAndSegments() {
        byte[] bytes = {1, 2, 3};
        assertThat(pool.call(BufferTasks.ENVELOPE_DESCRIBE, new Envelope<>("h", (Object) bytes)).join())
                .isEqualTo("byte[]:6");
        assertThat(pool.call(BufferTasks.ENVELOPE_DESCRIBE, new Envelope<>("h", (Object) ByteBuffer.wrap(bytes))).join())
                .isEqualTo("ByteBuffer:6");
        assertThat(pool.call(BufferTasks.ENVELOPE_DESCRIBE,
                new Envelope<>("h", (Object) MemorySegment.ofArray(new byte[] {10, 20}))).join())
                .isEqualTo("MemorySegment:30");

        Envelope<String, Object> back = pool.call(BufferTasks.ENVELOPE_ECHO, new Envelope<>("head", (Object) bytes)).join();

        assertThat(back.header()).isEqualTo("head!");
        assertThat(back.body()).isInstanceOf(byte[].class).isEqualTo(bytes).isNotSameAs(bytes);
    }

    @Test
    void shouldShareAnEnvelopesBufferBodyAndCloseItWithTheEnvelope() {
        ProcessSharedBuffer buffer = ProcessSharedBuffer.create(100);
        buffer.segment().fill((byte) 1);
        Envelope<String, Object> envelope = new Envelope<>("header", buffer);

        assertThat(pool.call(BufferTasks.ENVELOPE_DESCRIBE, envelope).join()).isEqualTo("ProcessSharedBuffer:100");
        try (Envelope<String, Object> back = pool.call(BufferTasks.ENVELOPE_ECHO, envelope).join()) {
            assertThat(back.header()).isEqualTo("header!");
            ((ProcessSharedBuffer) back.body()).segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 9);
            assertThat(buffer.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 9);
        }

        envelope.close();
        assertThat(buffer.isOpen()).isFalse();
    }

    @Test
    void shouldRejectAMemorySegmentOutsideAnEnvelopeAndKeepServing() {
        assertThatThrownBy(() -> pool.call(EchoTasks.ECHO, MemorySegment.ofArray(new byte[4])).join())
                .cause().isInstanceOf(PayloadException.class).hasMessageContaining("only as an Envelope body");
        assertThat(pool.call(EchoTasks.SQUARE, 3).join()).isEqualTo(9);
    }

    @Test
    void shouldRejectAnEnvelopeBodyOfAnotherKindAtConstruction() {
        assertThatThrownBy(() -> new Envelope<>("h", "not binary"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String");
        assertThatThrownBy(() -> new Envelope<>("h", null)).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- BufferReference

    @Test
    void shouldMoveAReferenceToTheWorkerAndBack() {
        BufferReference reference = BufferReference.copyOf(new byte[] {1, 2, 3});
        MemorySegment mine = reference.segment();

        CompletableFuture<BufferReference> call = pool.call(BufferTasks.INCREMENT, reference);

        try (BufferReference back = call.join()) {
            assertThat(back.toByteArray()).containsExactly(2, 3, 4);
            assertThat(back.isOwned()).isTrue();
        }
        assertThat(reference.isOwned()).isFalse();
        assertThatThrownBy(() -> mine.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(reference::segment).isInstanceOf(IllegalStateException.class).hasMessageContaining("moved");
    }

    @Test
    void shouldMoveALargeReferenceThereAndBackRevokingEverySegmentTheSenderTook() {
        int size = 3 << 20; // far above the payload limit
        BufferReference reference = BufferReference.allocate(size);
        MemorySegment whole = reference.segment();
        for (int i = 0; i < size; i += 4096) {
            whole.set(ValueLayout.JAVA_BYTE, i, (byte) (i / 4096));
        }
        List<MemorySegment> taken = List.of(whole, whole.asSlice(4096, 8192), whole.asSlice(size - 1),
                whole.asSlice(0, 16).asSlice(8));

        try (BufferReference back = pool.call(BufferTasks.INCREMENT, reference).join()) {
            MemorySegment got = back.segment();
            assertThat(got.byteSize()).isEqualTo(size);
            for (int i = 0; i < size; i += 4096) {
                assertThat(got.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) (i / 4096 + 1));
            }
            assertThat(got.get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) 1);
        }
        for (MemorySegment segment : taken) {
            assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(reference::toByteArray).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldMoveReferencesNestedInRecordsCollectionsAndEnvelopes() {
        BufferReference first = BufferReference.copyOf(new byte[] {1});
        BufferReference second = BufferReference.allocate(1 << 20);
        second.segment().set(ValueLayout.JAVA_BYTE, 7, (byte) 70);
        BufferReference body = BufferReference.copyOf(new byte[] {4, 5});

        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) pool.call(EchoTasks.ECHO, List.of(first, Map.of("k", second))).join();
        Envelope<String, Object> envelope = pool.call(BufferTasks.ENVELOPE_ECHO, new Envelope<>("h", body)).join();

        assertThat(first.isOwned()).isFalse();
        assertThat(second.isOwned()).isFalse();
        assertThat(body.isOwned()).isFalse();
        try (BufferReference a = (BufferReference) back.get(0);
             BufferReference b = (BufferReference) ((Map<?, ?>) back.get(1)).get("k");
             BufferReference c = (BufferReference) envelope.body()) {
            assertThat(a.toByteArray()).containsExactly(1);
            assertThat(b.segment().get(ValueLayout.JAVA_BYTE, 7)).isEqualTo((byte) 70);
            assertThat(envelope.header()).isEqualTo("h!");
            assertThat(c.toByteArray()).containsExactly(4, 5);
        }
    }

    @Test
    void shouldMoveTenThousandReferencesWithTheHostsDescriptorsAndMappingsFlat() throws IOException {
        for (int i = 0; i < 50; i++) { // warm: the pool's threads, the decoder, the worker's table
            pool.call(BufferTasks.INCREMENT, BufferReference.allocate(i % 2 == 0 ? 64 : 512 << 10)).join().release();
        }
        long descriptors = count(Path.of("/proc/self/fd"));
        long mappings = referenceMappings();

        for (int i = 0; i < 10_000; i++) {
            BufferReference reference = BufferReference.allocate(i % 50 == 0 ? 512 << 10 : 64);
            reference.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) i);
            try (BufferReference back = pool.call(BufferTasks.INCREMENT, reference).join()) {
                assertThat(back.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) (i + 1));
            }
        }

        assertThat(referenceMappings()).isEqualTo(mappings);
        assertThat(count(Path.of("/proc/self/fd"))).isLessThanOrEqualTo(descriptors + 4); // other threads may open some
    }

    private static long count(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.count();
        }
    }

    private static long referenceMappings() throws IOException {
        return referenceMappings(ProcessHandle.current().pid());
    }

    /** @return the mappings of reference memfds in process {@code pid} (a confined worker cannot read its own) */
    private static long referenceMappings(long pid) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "maps"))) {
            return lines.filter(line -> line.contains("knitting-ref")).count();
        }
    }

    @Test
    void shouldFreeAReferenceWhoseCallEndedBeforeTheWorkerTookIt() throws Exception {
        Pool own = withWorkerKind(Knitting.pool()).threads(1).start(BufferTasks.class,
                dev.knitting.testtasks.SlowTasks.class);
        try {
            // no reference moved before: a kept mapping of an earlier move would go on its own meanwhile
            long worker = own.call(dev.knitting.testtasks.SlowTasks.WHERE, 0L).join().pid();
            long hostMappings = referenceMappings();
            long workerMappings = referenceMappings(worker);
            long descriptors = count(Path.of("/proc/self/fd"));
            CompletableFuture<String> busy = own.call(dev.knitting.testtasks.SlowTasks.BUSY, 1_500L);
            BufferReference large = BufferReference.allocate(16 << 20); // a memfd from the start
            BufferReference small = BufferReference.allocate(64); // copied into one at a send to a process

            CompletableFuture<Long> lateLarge = own.call(BufferTasks.RELEASE_WITHIN_200_MS, large);
            CompletableFuture<Long> lateSmall = own.call(BufferTasks.RELEASE_WITHIN_200_MS, small);

            assertThatThrownBy(lateLarge::join).cause().isInstanceOf(TaskTimeoutException.class);
            assertThatThrownBy(lateSmall::join).cause().isInstanceOf(TaskTimeoutException.class);
            assertThat(large.isOwned()).isFalse();
            assertThat(small.isOwned()).isFalse();
            assertThat(busy.get(60, TimeUnit.SECONDS)).isEqualTo(dev.knitting.testtasks.SlowTasks.BUDGET);
            // it serves on; this move also sweeps what the host kept of memory the worker took and freed
            BufferReference next = BufferReference.allocate(64);
            next.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 41);
            try (BufferReference back = own.call(BufferTasks.INCREMENT, next).join()) {
                assertThat(back.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 42);
            }
            // nothing of the two ended calls is left anywhere, though no reference moves any more:
            // every mapping and descriptor goes (the host's answer pump sweeps at least once per park slice)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((referenceMappings(worker) != workerMappings || referenceMappings() != hostMappings)
                    && System.nanoTime() < deadline) {
                own.call(dev.knitting.testtasks.SlowTasks.WHERE, 0L).join(); // the worker sweeps as it serves
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertThat(referenceMappings(worker)).isEqualTo(workerMappings);
            assertThat(referenceMappings()).isEqualTo(hostMappings);
            assertThat(count(Path.of("/proc/self/fd"))).isLessThanOrEqualTo(descriptors + 4);
        } finally {
            own.shutdown().orTimeout(60, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void shouldFailTheSecondSendOfAReference() {
        BufferReference reference = BufferReference.allocate(8);
        pool.call(BufferTasks.RELEASE, reference).join();

        assertThatThrownBy(() -> pool.call(BufferTasks.RELEASE, reference).join())
                .cause().isInstanceOf(PayloadException.class).hasMessageContaining("sent already");
        reference.close(); // a moved reference: nothing to do
    }

    @Test
    void shouldLeaveTheReferenceWithTheSenderWhenTheSendFails() {
        BufferReference reference = BufferReference.copyOf(new byte[] {5});
        List<Object> tooLarge = List.of(reference, new byte[2 << 20]); // above the pool's 1 MiB limit

        assertThatThrownBy(() -> pool.call(EchoTasks.ECHO, tooLarge).join())
                .cause().isInstanceOf(PayloadException.class);

        assertThat(reference.isOwned()).isTrue();
        assertThat(reference.toByteArray()).containsExactly(5);
        reference.release();
    }

    @Test
    void shouldDeliverAReferenceTheWorkerAllocated() {
        try (BufferReference r = pool.call(BufferTasks.ALLOCATE_NINES, 4).join();
             BufferReference large = pool.call(BufferTasks.ALLOCATE_NINES, 2 << 20).join()) {
            assertThat(r.toByteArray()).containsExactly(9, 9, 9, 9);
            assertThat(large.byteSize()).isEqualTo(2 << 20);
            assertThat(large.segment().get(ValueLayout.JAVA_BYTE, (2 << 20) - 1)).isEqualTo((byte) 9);
        }
    }

    @Test
    void shouldMakeReleaseIdempotentAndUseAfterReleaseAnError() {
        BufferReference reference = BufferReference.allocate(16);
        MemorySegment segment = reference.segment();

        reference.release();
        reference.release();
        reference.close();

        assertThat(reference.isOwned()).isFalse();
        assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(reference::segment).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
        assertThatThrownBy(reference::toByteArray).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pool.call(BufferTasks.RELEASE, reference).join())
                .cause().isInstanceOf(PayloadException.class)
                .hasMessageContaining("released");
    }

    @Test
    void shouldRefuseToSendAReferenceWhoseSegmentIsConfinedToAnotherThread() throws Exception {
        BufferReference reference = BufferReference.allocate(16);
        reference.segment();

        CompletableFuture<Long> call = CompletableFuture.supplyAsync(() -> pool.call(BufferTasks.RELEASE, reference))
                .get(60, TimeUnit.SECONDS);

        assertThatThrownBy(call::join).cause().isInstanceOf(PayloadException.class);
        assertThat(reference.isOwned()).isTrue();
        reference.release();
    }

    @Test
    void shouldFailCallsHoldingReferencesAtShutdownNowAndLeaveNothingHanging() throws IOException {
        long mappings = referenceMappings();
        Pool own = withWorkerKind(Knitting.pool()).threads(1).start(BufferTasks.class, EchoTasks.class,
                dev.knitting.testtasks.SlowTasks.class);
        CompletableFuture<String> blocker = own.call(dev.knitting.testtasks.SlowTasks.SPIN,
                new dev.knitting.testtasks.SlowTasks.Spin("zc-" + System.nanoTime(), 60_000));
        BufferReference reference = BufferReference.allocate(32);
        BufferReference large = BufferReference.allocate(16 << 20); // a memfd from the start
        CompletableFuture<Long> queued = own.call(BufferTasks.RELEASE, reference);
        CompletableFuture<Long> queuedLarge = own.call(BufferTasks.RELEASE, large);

        own.shutdownNow().orTimeout(60, TimeUnit.SECONDS).join();

        assertThatThrownBy(queued::join).cause().isInstanceOf(PoolClosedException.class);
        assertThatThrownBy(queuedLarge::join).cause().isInstanceOf(PoolClosedException.class);
        assertThat(reference.isOwned()).isFalse(); // moved; the pool freed it in transit
        assertThat(large.isOwned()).isFalse();
        assertThat(referenceMappings()).isEqualTo(mappings); // nothing of either is mapped here any more
        assertThat(blocker).isCompletedExceptionally();
    }
}
