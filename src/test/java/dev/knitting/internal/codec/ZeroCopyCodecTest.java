package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.os.UnixSockets;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.share.KeptBufferWord;
import dev.knitting.internal.share.NativeBlock;
import dev.knitting.internal.share.Received;
import dev.knitting.internal.share.Transfers;
import dev.knitting.internal.share.Transit;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Zero-copy descriptors at the codec level: what a send holds and gives back, and that a forged
 * descriptor (made-up fd, pid, name, token, address or size) is refused before any memory is mapped.
 */
class ZeroCopyCodecTest {
    private static final TypePolicy POLICY = TypePolicy.of(ZeroCopyCodecTest.class.getClassLoader(), Set.of());
    private final Transit transit = new Transit();
    private final PayloadEncoder threadEncoder = new PayloadEncoder(POLICY, Peer.sameProcess(transit));
    private final PayloadDecoder threadDecoder = new PayloadDecoder(POLICY, Peer.sameProcess(transit));
    private final PayloadDecoder processDecoder = new PayloadDecoder(POLICY, Peer.otherProcess());

    private byte[] encode(PayloadEncoder encoder, Object value) {
        encoder.encode(value, 1 << 20);
        return encoder.encoded().toArray(ValueLayout.JAVA_BYTE);
    }

    /** A SHARED_BUFFER descriptor with every field chosen by the test. */
    private static byte[] sharedBufferDescriptor(long pid, int fd, long tokenHigh, long tokenLow, long length,
            long offset, long size) {
        return sharedBufferDescriptor(pid, fd, KeptBufferWord.NONE, tokenHigh, tokenLow, length, offset, size);
    }

    /** A SHARED_BUFFER descriptor with every field chosen by the test, the kept-buffer word too. */
    private static byte[] sharedBufferDescriptor(long pid, int fd, long keptWord, long tokenHigh, long tokenLow,
            long length, long offset, long size) {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + 8 * 6 + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Tags.SHARED_BUFFER).putLong(pid).putInt(fd).putLong(keptWord).putLong(tokenHigh).putLong(tokenLow)
                .putLong(length).putLong(offset).putLong(size).put(Tags.NULL);
        return b.array();
    }

    /** @return how many shared-memory mappings (memfd or /dev/shm) this process has */
    private static long mappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("memfd:") || line.contains("/dev/shm/")).count();
    }

    @Test
    void shouldResolveABuffersOwnDescriptorToAnOwningHandleOnTheSameMemory() {
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(100)) {
            byte[] bytes = encode(threadEncoder, buffer.slice(10, 20));
            Transfers held = threadEncoder.takeTransfers();

            ProcessSharedBuffer decoded = (ProcessSharedBuffer) threadDecoder.decode(MemorySegment.ofArray(bytes));
            Received received = threadDecoder.takeReceived();
            decoded.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 7);

            assertThat(buffer.segment().get(ValueLayout.JAVA_BYTE, 10)).isEqualTo((byte) 7);
            assertThat(decoded.byteSize()).isEqualTo(20);
            received.closeBuffers();
            held.settle();
            assertThat(buffer.isOpen()).isTrue();
        }
    }

    @Test
    void shouldKeepAPinnedBufferMappedUntilTheSendSettles() {
        ProcessSharedBuffer buffer = ProcessSharedBuffer.create(64);
        MemorySegment segment = buffer.segment();
        encode(threadEncoder, buffer);
        Transfers held = threadEncoder.takeTransfers();

        buffer.close();
        segment.get(ValueLayout.JAVA_BYTE, 0); // still mapped: the send holds it

        held.settle();
        assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectADescriptorOfThisProcessWithAnUnknownToken() {
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(64)) {
            byte[] forged = sharedBufferDescriptor(ProcessHandle.current().pid(), 0, 1, 2, 64, 0, 64);

            assertThatThrownBy(() -> threadDecoder.decode(MemorySegment.ofArray(forged)))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("no live buffer of this process");
            assertThat(buffer.isOpen()).isTrue();
        }
    }

    @Test
    void shouldRejectADescriptorOfAnotherProcessOnAThreadLane() {
        byte[] forged = sharedBufferDescriptor(1, 3, 1, 2, 64, 0, 64);

        assertThatThrownBy(() -> threadDecoder.decode(MemorySegment.ofArray(forged)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("peer is this process");
    }

    @Test
    void shouldNotMapAnythingForAMadeUpFdOrAFileThatIsNoBuffer() throws IOException {
        long before = mappings();
        // a made-up fd of a process that cannot exist, and fd 1 of this process (a pipe or terminal, not a buffer)
        byte[] noSuchProcess = sharedBufferDescriptor(Integer.MAX_VALUE, 5, 1, 2, 64, 0, 64);
        byte[] notABuffer = sharedBufferDescriptor(ProcessHandle.current().parent().orElseThrow().pid(), 1, 1, 2, 64, 0, 64);

        assertThatThrownBy(() -> processDecoder.decode(MemorySegment.ofArray(noSuchProcess)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("ProcessSharedBuffer descriptor");
        assertThatThrownBy(() -> processDecoder.decode(MemorySegment.ofArray(notABuffer)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not a ProcessSharedBuffer");
        assertThat(mappings()).isEqualTo(before);
    }

    @Test
    void shouldMapNothingForAKeptBufferSlotThisProcessWasNeverAskedToKeep() throws IOException {
        PayloadDecoder fromHost = new PayloadDecoder(POLICY, Peer.processHost());
        long before = mappings();
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(64)) {
            // the slot names this process's own live buffer by its real token: still nothing kept in that slot
            byte[] forged = sharedBufferDescriptor(ProcessHandle.current().parent().orElseThrow().pid(), -7,
                    KeptBufferWord.of(KeptBufferWord.KEPT, 3, 1), 1, 2, 64, 0, 64);

            assertThatThrownBy(() -> fromHost.decode(MemorySegment.ofArray(forged)))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("kept-buffer slot 3");
            assertThat(mappings()).isEqualTo(before + 1);
        }
    }

    @Test
    void shouldRejectAKeptBufferWordFromAProcessWorkerOrAMalformedOne() {
        PayloadDecoder fromWorker = new PayloadDecoder(POLICY, Peer.processWorker(true, true, transit));
        byte[] claim = sharedBufferDescriptor(1, 3, KeptBufferWord.of(KeptBufferWord.KEPT, 0, 1), 1, 2, 64, 0, 64);
        byte[] malformed = sharedBufferDescriptor(1, -3, 3, 1, 2, 64, 0, 64);

        assertThatThrownBy(() -> fromWorker.decode(MemorySegment.ofArray(claim)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("only a host sends its process worker");
        assertThatThrownBy(() -> new PayloadDecoder(POLICY, Peer.processHost()).decode(MemorySegment.ofArray(malformed)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("is malformed");
    }

    @Test
    void shouldRejectADescriptorWhoseRangeLeavesTheBuffer() {
        byte[] outside = sharedBufferDescriptor(ProcessHandle.current().pid(), 3, 1, 2, 64, 60, 10);

        assertThatThrownBy(() -> threadDecoder.decode(MemorySegment.ofArray(outside)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("describes bytes [60, 60 + 10)");
    }

    @Test
    void shouldMoveAReferenceThroughTheTransitExactlyOnce() {
        BufferReference reference = BufferReference.copyOf(new byte[] {1, 2});
        byte[] bytes = encode(threadEncoder, reference);
        Transfers held = threadEncoder.takeTransfers();
        assertThat(transit.size()).isOne();

        BufferReference received = (BufferReference) threadDecoder.decode(MemorySegment.ofArray(bytes));

        assertThat(received.toByteArray()).containsExactly(1, 2);
        assertThat(transit.size()).isZero();
        assertThatThrownBy(() -> threadDecoder.decode(MemorySegment.ofArray(bytes)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("delivered already");
        held.settle(); // claimed: settling frees nothing
        assertThat(received.toByteArray()).containsExactly(1, 2);
        received.release();
    }

    @Test
    void shouldRejectAForgedReferenceDescriptor() {
        BufferReference reference = BufferReference.allocate(8);
        byte[] bytes = encode(threadEncoder, reference);
        Transfers held = threadEncoder.takeTransfers();
        ByteBuffer forged = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
        forged.putLong(9, forged.getLong(9) + 64); // right token, another address

        assertThatThrownBy(() -> threadDecoder.decode(MemorySegment.ofArray(forged.array())))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("names no reference in transit");
        assertThatThrownBy(() -> processDecoder.decode(MemorySegment.ofArray(fromProcess(bytes, 0, 0))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("without a descriptor channel");
        held.settle(); // never claimed: freed here
        assertThat(transit.size()).isZero();
    }

    @Test
    void shouldGiveAReferenceBackWhenTheEncodeFailsHalfWay() {
        BufferReference reference = BufferReference.allocate(8);
        Object bad = List.of(reference, (Runnable) () -> { });

        assertThatThrownBy(() -> threadEncoder.encode(bad, 1 << 20)).isInstanceOf(PayloadException.class);

        assertThat(reference.isOwned()).isTrue();
        assertThat(transit.size()).isZero();
        assertThat(threadEncoder.takeTransfers()).isNull();
        reference.release();
    }

    @Test
    void shouldRefuseReferencesWithoutAPool() {
        PayloadEncoder plain = new PayloadEncoder(POLICY);
        BufferReference reference = BufferReference.allocate(8);

        assertThatThrownBy(() -> plain.encode(reference, 1 << 20))
                .isInstanceOf(PayloadException.class).hasMessageContaining("only calls of a pool");
        assertThat(reference.isOwned()).isTrue();
        reference.release();
    }

    /** A reference descriptor as a process worker would send it, naming handoff {@code handoff}. */
    private byte[] workerReferenceDescriptor(int handoff, long size) {
        BufferReference reference = BufferReference.allocate(8);
        byte[] bytes = encode(threadEncoder, reference);
        threadEncoder.takeTransfers().settle();
        ByteBuffer forged = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        forged.putLong(1, 0); // no transit token: it comes from another process
        forged.putLong(9, -handoff);
        forged.putLong(17, size);
        return fromProcess(bytes, 0, 0);
    }

    /** A thread peer's reference descriptor with the fields a process adds: key and flags. */
    private static byte[] fromProcess(byte[] threadDescriptor, long key, int flags) {
        return ByteBuffer.allocate(threadDescriptor.length + 9).order(ByteOrder.LITTLE_ENDIAN)
                .put(threadDescriptor).putLong(key).put((byte) flags).array();
    }

    /** A reference descriptor as a process worker sends it by key alone (no descriptor on the channel). */
    private static byte[] byKey(long token, long key, long size) {
        return ByteBuffer.allocate(1 + 8 * 4 + 1).order(ByteOrder.LITTLE_ENDIAN).put(Tags.BUFFER_REFERENCE)
                .putLong(token).putLong(-DescriptorChannel.nextHandoff()).putLong(size).putLong(key).put((byte) 0)
                .array();
    }

    @Test
    void shouldTakeAReferenceBackByKeyOnlyFromTheWorkerItWasLentToAndOnlyWhileThatWorkerOwnsIt() throws IOException {
        assumeThat(DescriptorChannel.unavailableReason()).isEmpty();
        Transit hostTransit = new Transit();
        PayloadEncoder toWorker = new PayloadEncoder(POLICY, Peer.processWorker(true, true, hostTransit));
        PayloadDecoder fromWorkers = new PayloadDecoder(POLICY, Peer.processWorker(true, true, hostTransit));
        int[] pairA = UnixSockets.socketPair();
        int[] pairB = UnixSockets.socketPair();
        try (DescriptorChannel hostA = new DescriptorChannel(pairA[0], "worker A");
             DescriptorChannel workerA = new DescriptorChannel(pairA[1], "the host");
             DescriptorChannel hostB = new DescriptorChannel(pairB[0], "worker B");
             DescriptorChannel workerB = new DescriptorChannel(pairB[1], "the host")) {
            BufferReference reference = BufferReference.allocate(64);
            reference.segment().set(ValueLayout.JAVA_BYTE, 3, (byte) 9);
            ByteBuffer sent = ByteBuffer.wrap(encode(toWorker, reference)).order(ByteOrder.LITTLE_ENDIAN);
            Transfers held = toWorker.takeTransfers();
            held.deliver(hostA); // lent to worker A, which maps it as a worker would
            long key = sent.getLong(25);
            assertThat(sent.get(33)).as("the host keeps its mapping").isEqualTo((byte) 1);
            int fd = workerA.take((int) -sent.getLong(9));
            NativeBlock atWorker = NativeBlock.ofReceived(dev.knitting.internal.os.SealedMemory.mapReceived(fd,
                    NativeBlock.mappedSize(64), NativeBlock.DEBUG_NAME), 64, key);
            assertThat(atWorker.take(sent.getLong(1))).as("worker A takes the move").isTrue();
            long mappings = referenceMappings();

            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(hostB,
                    () -> fromWorkers.decode(MemorySegment.ofArray(byKey(77, key, 64)))))
                    .as("another worker's key").isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("no descriptor was handed over");
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(hostA,
                    () -> fromWorkers.decode(MemorySegment.ofArray(byKey(77, key + 1, 64)))))
                    .as("a key never issued").isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("no descriptor was handed over");
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(hostA,
                    () -> fromWorkers.decode(MemorySegment.ofArray(byKey(77, key, 64)))))
                    .as("a move worker A never offered").isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("stale or replayed");
            assertThat(referenceMappings()).isEqualTo(mappings);

            atWorker.offer(78); // worker A moves it back
            BufferReference back = (BufferReference) DescriptorChannel.decodingAnswerOf(hostA,
                    () -> fromWorkers.decode(MemorySegment.ofArray(byKey(78, key, 64))));
            assertThat(back.segment().get(ValueLayout.JAVA_BYTE, 3)).isEqualTo((byte) 9);
            assertThat(referenceMappings()).as("the host's own mapping, no new one").isEqualTo(mappings);
            atWorker.offer(78);
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(hostA,
                    () -> fromWorkers.decode(MemorySegment.ofArray(byKey(78, key, 64)))))
                    .as("the same move replayed").isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("no descriptor was handed over");
            held.settle(); // worker A took it: nothing of the host's goes

            back.release();
            assertThat(atWorker.freedByOwner()).as("worker A is told the memory is freed").isTrue();
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(hostA,
                    () -> fromWorkers.decode(MemorySegment.ofArray(byKey(78, key, 64)))))
                    .as("a key of memory the host released").isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("no descriptor was handed over");
            atWorker.free();
            assertThat(referenceMappings()).isEqualTo(mappings - 2);
        }
    }

    @Test
    void shouldRefuseAWorkersReferenceWhoseMemoryWasNeverHandedOverOrIsNoSealedMemfdMappingNothing()
            throws IOException {
        assumeThat(DescriptorChannel.unavailableReason()).isEmpty();
        int[] pair = UnixSockets.socketPair();
        int[] notMemory = UnixSockets.socketPair();
        try (DescriptorChannel fromWorker = new DescriptorChannel(pair[0], "worker 0");
             DescriptorChannel workerEnd = new DescriptorChannel(pair[1], "the host")) {
            long before = referenceMappings();
            byte[] missing = workerReferenceDescriptor(DescriptorChannel.nextHandoff(), 4096);
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(fromWorker,
                    () -> processDecoder.decode(MemorySegment.ofArray(missing))))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("no descriptor was handed over");

            int handoff = DescriptorChannel.nextHandoff();
            workerEnd.send(handoff, notMemory[0]);
            byte[] socket = workerReferenceDescriptor(handoff, 4096);
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(fromWorker,
                    () -> processDecoder.decode(MemorySegment.ofArray(socket))))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("sealed memory");

            byte[] noHandoff = workerReferenceDescriptor(1, 4096);
            ByteBuffer.wrap(noHandoff).order(ByteOrder.LITTLE_ENDIAN).putLong(9, 12345); // an address, no handoff
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(fromWorker,
                    () -> processDecoder.decode(MemorySegment.ofArray(noHandoff))))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("no handoff id");

            byte[] unknownFlags = workerReferenceDescriptor(DescriptorChannel.nextHandoff(), 4096);
            unknownFlags[unknownFlags.length - 1] = (byte) 0x82; // a flag byte with bits no sender sets
            assertThatThrownBy(() -> DescriptorChannel.decodingAnswerOf(fromWorker,
                    () -> processDecoder.decode(MemorySegment.ofArray(unknownFlags))))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("with flags 130");
            assertThat(referenceMappings()).isEqualTo(before);
            assertThat(fromWorker.waiting()).isZero();
        } finally {
            UnixSockets.close(notMemory[0]);
            UnixSockets.close(notMemory[1]);
        }
    }

    private static long referenceMappings() throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains(NativeBlock.DEBUG_NAME)).count();
        }
    }
}
