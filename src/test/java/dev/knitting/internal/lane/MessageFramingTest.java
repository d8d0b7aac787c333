package dev.knitting.internal.lane;

import static dev.knitting.internal.lane.MessageDescriptor.FLAG_FIRST;
import static dev.knitting.internal.lane.MessageDescriptor.FLAG_LAST;
import static dev.knitting.internal.lane.MessageDescriptor.REQUEST;
import static dev.knitting.internal.lane.MessageDescriptor.RESPONSE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.IdlePolicy;
import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageFramingTest {
    private static final BooleanSupplier ALIVE = () -> true;
    private static final long MAX_PAYLOAD = 256L << 20;

    record Message(int type, long callId, int code, int abortSlot, byte[] payload, boolean native_) {
    }

    private static final class Collector implements MessageHandler {
        final List<Message> messages = new ArrayList<>();

        @Override
        public void onMessage(int type, long callId, int code, int abortSlot, MemorySegment payload) {
            messages.add(new Message(type, callId, code, abortSlot, payload.toArray(ValueLayout.JAVA_BYTE),
                    payload.isNative()));
        }
    }

    private static MemorySegment payload(int length, int seed) {
        return MemorySegment.ofArray(LaneTesting.bytes(length, seed));
    }

    @Test
    void smallMessageArrivesAsOneZeroCopyRecord() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            MessageSender sender = new MessageSender(ring, new IdleStrategy(IdlePolicy.BALANCED));
            MessageReceiver receiver = new MessageReceiver(ring, MAX_PAYLOAD);
            sender.send(REQUEST, 42L, 7, 3, payload(100, 1), ALIVE);
            sender.send(RESPONSE, -1L, -9, MessageDescriptor.NO_ABORT_SLOT, MemorySegment.NULL, ALIVE);
            Collector collector = new Collector();
            MemorySegment[] seen = new MemorySegment[1];

            assertThat(receiver.poll((type, callId, code, abortSlot, payload) -> {
                seen[0] = payload;
                collector.onMessage(type, callId, code, abortSlot, payload);
            }, 1)).isEqualTo(1);
            assertThat(receiver.poll(collector, 10)).isEqualTo(1);

            assertThat(collector.messages.get(0)).satisfies(m -> {
                assertThat(m.type()).isEqualTo(REQUEST);
                assertThat(m.callId()).isEqualTo(42L);
                assertThat(m.code()).isEqualTo(7);
                assertThat(m.abortSlot()).isEqualTo(3);
                assertThat(m.payload()).isEqualTo(LaneTesting.bytes(100, 1));
            });
            long ringStart = ring.region().address();
            assertThat(seen[0].isNative()).isTrue();
            assertThat(seen[0].address()).isBetween(ringStart, ringStart + ring.region().byteSize());
            assertThat(collector.messages.get(1)).satisfies(m -> {
                assertThat(m.type()).isEqualTo(RESPONSE);
                assertThat(m.code()).isEqualTo(-9);
                assertThat(m.abortSlot()).isEqualTo(-1);
                assertThat(m.payload()).isEmpty();
            });
        }
    }

    /** A payload in three parts that counts its copies: what an encoder with deferred bodies gives the sender. */
    private static final class ThreePartSource implements PayloadSource {
        final MemorySegment[] parts;
        long copiedBytes;

        ThreePartSource(byte[] whole, int cut1, int cut2) {
            parts = new MemorySegment[] {MemorySegment.ofArray(java.util.Arrays.copyOfRange(whole, 0, cut1)),
                    MemorySegment.ofArray(java.util.Arrays.copyOfRange(whole, cut1, cut2)),
                    MemorySegment.ofArray(java.util.Arrays.copyOfRange(whole, cut2, whole.length))};
        }

        @Override
        public long byteSize() {
            long n = 0;
            for (MemorySegment p : parts) {
                n += p.byteSize();
            }
            return n;
        }

        @Override
        public void copyTo(long from, MemorySegment dst, long dstOffset, long length) {
            copiedBytes += length;
            long start = 0;
            for (MemorySegment p : parts) {
                long end = start + p.byteSize();
                long a = Math.max(from, start);
                long b = Math.min(from + length, end);
                if (a < b) {
                    MemorySegment.copy(p, a - start, dst, dstOffset + (a - from), b - a);
                }
                start = end;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 8191, 8192, 40_000})
    void aPayloadInSeveralPartsIsCopiedOnceStraightIntoTheFragments(int length) {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            MessageSender sender = new MessageSender(ring, new IdleStrategy(IdlePolicy.BALANCED));
            MessageReceiver receiver = new MessageReceiver(ring, MAX_PAYLOAD);
            byte[] whole = LaneTesting.bytes(length, 4);
            ThreePartSource source = new ThreePartSource(whole, length / 3, length / 3 + length / 2);
            Collector collector = new Collector();

            sender.send(REQUEST, 11L, 2, -1, source, ALIVE, ALIVE, position -> { });
            receiver.poll(collector, 100);

            assertThat(source.copiedBytes).as("each byte copied into the ring once").isEqualTo(length);
            assertThat(collector.messages).singleElement().satisfies(m -> {
                assertThat(m.callId()).isEqualTo(11L);
                assertThat(m.payload()).isEqualTo(whole);
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 2, 3})
    void payloadsAroundTheFragmentBoundaryTakeOneOrMoreRecords(int delta) {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            MessageSender sender = new MessageSender(ring, new IdleStrategy(IdlePolicy.BALANCED));
            int max = sender.maxFragmentPayload();
            assertThat(max).isEqualTo(64 * 1024 / 8 - RecordDescriptor.HEADER_LENGTH - MessageDescriptor.HEADER_LENGTH);
            int length = delta <= 1 ? max + delta : 2 * max + delta - 2; // max-1, max, max+1, 2max, 2max+1
            sender.send(REQUEST, 5L, 1, -1, payload(length, 9), ALIVE);
            Collector collector = new Collector();

            int records = new MessageReceiver(ring, MAX_PAYLOAD).poll(collector, 100);

            assertThat(records).isEqualTo((length + max - 1) / max);
            assertThat(collector.messages).singleElement().satisfies(m -> {
                assertThat(m.payload()).isEqualTo(LaneTesting.bytes(length, 9));
                assertThat(m.native_()).isEqualTo(records == 1);
            });
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void sixtyFourMebibytesPassA64KibRingWhileSmallSendersInterleave() throws Exception {
        int big = 64 << 20;
        int smallPerThread = 3_000;
        try (Arena arena = Arena.ofShared()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            IdleStrategy idle = new IdleStrategy(IdlePolicy.BALANCED);
            MessageSender sender = new MessageSender(ring, idle);
            MemorySegment bigPayload = arena.allocate(big, 8);
            for (long i = 0; i < big / 8; i++) {
                bigPayload.setAtIndex(ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
            }
            AtomicBoolean alive = new AtomicBoolean(true);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            senders.add(CompletableFuture.runAsync(() -> sender.send(REQUEST, 1L, 77, -1, bigPayload, alive::get),
                    r -> Thread.ofPlatform().start(r)));
            for (int t = 0; t < 2; t++) {
                long base = (t + 1) * 1_000_000L;
                senders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < smallPerThread; i++) {
                        sender.send(REQUEST, base + i, i, -1, payload(i % 200, i), alive::get);
                    }
                }, r -> Thread.ofPlatform().start(r)));
            }
            MessageReceiver receiver = new MessageReceiver(ring, MAX_PAYLOAD);
            long[] nextSmall = {1_000_000L, 2_000_000L};
            boolean[] bigSeen = {false};
            int[] smallSeen = {0};
            MessageHandler verify = (type, callId, code, abortSlot, payload) -> {
                if (callId == 1L) {
                    assertThat(code).isEqualTo(77);
                    assertThat(payload.byteSize()).isEqualTo(big);
                    assertThat(payload.mismatch(bigPayload)).isEqualTo(-1L);
                    bigSeen[0] = true;
                    return;
                }
                int thread = (int) (callId / 1_000_000L) - 1;
                assertThat(callId).as("order of small sender %d", thread).isEqualTo(nextSmall[thread]);
                int i = (int) (callId % 1_000_000L);
                assertThat(payload.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(LaneTesting.bytes(i % 200, i));
                nextSmall[thread]++;
                smallSeen[0]++;
            };
            while (!bigSeen[0] || smallSeen[0] < 2 * smallPerThread) {
                if (receiver.poll(verify, 64) == 0) {
                    for (CompletableFuture<Void> f : senders) {
                        if (f.isCompletedExceptionally()) {
                            f.join();
                        }
                    }
                    idle.await(ring::hasCommittedRecord, ring.dataDoorbell(), TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get();
            assertThat(receiver.isAssembling()).isFalse();
            assertThat(ring.headPosition()).isEqualTo(ring.tailPosition());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void randomSizesThroughASmallRingArriveIntactAndInOrder(long seed) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MpscRing ring = LaneTesting.ring(arena, 4096);
            IdleStrategy idle = new IdleStrategy(IdlePolicy.LOW_CPU);
            MessageSender sender = new MessageSender(ring, idle);
            int max = sender.maxFragmentPayload();
            Random random = new Random(seed);
            int count = 400;
            int[] sizes = new int[count];
            for (int i = 0; i < count; i++) {
                sizes[i] = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(max + 1);
                    case 1 -> max + random.nextInt(3) - 1;
                    case 2 -> random.nextInt(5 * max);
                    default -> random.nextInt(40_000);
                };
            }
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < count; i++) {
                    sender.send(i % 2 == 0 ? REQUEST : RESPONSE, i, i * 3, i % 5 - 1, payload(sizes[i], i), ALIVE);
                }
            }, r -> Thread.ofPlatform().start(r));
            MessageReceiver receiver = new MessageReceiver(ring, MAX_PAYLOAD);
            Collector collector = new Collector();
            while (collector.messages.size() < count) {
                if (receiver.poll(collector, 1 + random.nextInt(8)) == 0) {
                    if (producer.isCompletedExceptionally()) {
                        producer.join();
                    }
                    idle.await(ring::hasCommittedRecord, ring.dataDoorbell(), TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
            producer.get();
            for (int i = 0; i < count; i++) {
                Message m = collector.messages.get(i);
                assertThat(m.callId()).isEqualTo(i);
                assertThat(m.type()).isEqualTo(i % 2 == 0 ? REQUEST : RESPONSE);
                assertThat(m.code()).isEqualTo(i * 3);
                assertThat(m.abortSlot()).isEqualTo(i % 5 - 1);
                assertThat(m.payload()).as("payload %d of %d bytes", i, sizes[i]).isEqualTo(LaneTesting.bytes(sizes[i], i));
            }
        }
    }

    @Test
    @Timeout(60)
    void senderWaitingForSpaceGivesUpWhenThePeerDies() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MpscRing ring = LaneTesting.ring(arena, 1024);
            MessageSender sender = new MessageSender(ring, new IdleStrategy(IdlePolicy.LOW_CPU));
            while (ring.tryClaim(REQUEST, 0) != MpscRing.INSUFFICIENT_CAPACITY) {
                // fill the ring with claims nobody consumes
            }
            AtomicBoolean alive = new AtomicBoolean(true);
            CompletableFuture<Void> send = CompletableFuture.runAsync(
                    () -> sender.send(REQUEST, 1L, 1, -1, payload(10, 1), alive::get), r -> Thread.ofPlatform().start(r));
            LaneTesting.await(() -> ring.spaceDoorbell().waiters() == 1, "the sender to sleep for space");

            alive.set(false);

            assertThatThrownBy(send::join).hasCauseInstanceOf(KnittingException.class)
                    .hasMessageContaining("lane closed while waiting for ring space");
        }
    }

    @Test
    void sendRejectsBadArguments() {
        try (Arena arena = Arena.ofConfined()) {
            MessageSender sender = new MessageSender(LaneTesting.ring(arena, 1024), new IdleStrategy(IdlePolicy.LOW_CPU));
            assertThatThrownBy(() -> sender.send(5, 1, 1, -1, MemorySegment.NULL, ALIVE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=5");
            assertThatThrownBy(() -> sender.send(REQUEST, 1, 1, -2, MemorySegment.NULL, ALIVE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abortSlot=-2");
        }
    }

    // ---------------------------------------------------------------- corrupt input

    /** Writes one raw message record: header fields as given, then {@code fragment} payload bytes. */
    private static void raw(MpscRing ring, int type, long callId, int flags, long total, int fragment) {
        rawBody(ring, type, callId, flags, total, MessageDescriptor.HEADER_LENGTH + fragment);
    }

    private static void rawBody(MpscRing ring, int type, long callId, int flags, long total, int bodyLength) {
        long record = ring.tryClaim(type, bodyLength);
        long body = record + RecordDescriptor.BODY_OFFSET;
        MemorySegment region = ring.region();
        if (bodyLength >= MessageDescriptor.HEADER_LENGTH) {
            region.set(ValueLayout.JAVA_LONG, body + MessageDescriptor.CALL_ID_OFFSET, callId);
            region.set(ValueLayout.JAVA_INT, body + MessageDescriptor.CODE_OFFSET, 5);
            region.set(ValueLayout.JAVA_INT, body + MessageDescriptor.ABORT_SLOT_OFFSET, -1);
            region.set(ValueLayout.JAVA_INT, body + MessageDescriptor.FLAGS_OFFSET, flags);
            region.set(ValueLayout.JAVA_LONG, body + MessageDescriptor.TOTAL_PAYLOAD_LENGTH_OFFSET, total);
        }
        ring.commit(record);
    }

    enum Corruption {
        BODY_SHORTER_THAN_HEADER,
        UNKNOWN_FLAG_BITS,
        UNFRAGMENTED_LENGTH_MISMATCH,
        TOTAL_ABOVE_LIMIT,
        NEGATIVE_TOTAL,
        CONTINUATION_WITHOUT_FIRST,
        LAST_WITHOUT_FIRST,
        SECOND_FIRST_WHILE_INCOMPLETE,
        CALL_ID_CHANGES,
        TYPE_CHANGES,
        TOTAL_CHANGES,
        LAST_FRAGMENT_SHORT,
        MIDDLE_FRAGMENT_OVERRUNS,
        FIRST_FRAGMENT_HOLDS_EVERYTHING,
        EMPTY_FIRST_FRAGMENT,
        EMPTY_MIDDLE_FRAGMENT,
        UNKNOWN_RECORD_TYPE,
        NEGATIVE_ABORT_SLOT
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Corruption.class)
    void corruptMessageRecordsAreProtocolErrorsAndTheReceiverRecovers(Corruption corruption) {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 4096);
            MessageReceiver receiver = new MessageReceiver(ring, 10_000);
            Collector collector = new Collector();
            switch (corruption) {
                case BODY_SHORTER_THAN_HEADER -> rawBody(ring, REQUEST, 1, 3, 0, 16);
                case UNKNOWN_FLAG_BITS -> raw(ring, REQUEST, 1, 3 | 8, 4, 4);
                case UNFRAGMENTED_LENGTH_MISMATCH -> raw(ring, REQUEST, 1, 3, 5, 4);
                case TOTAL_ABOVE_LIMIT -> raw(ring, REQUEST, 1, FLAG_FIRST, 10_001, 4);
                case NEGATIVE_TOTAL -> raw(ring, REQUEST, 1, 3, -4, 4);
                case CONTINUATION_WITHOUT_FIRST -> raw(ring, REQUEST, 1, 0, 100, 4);
                case LAST_WITHOUT_FIRST -> raw(ring, REQUEST, 1, FLAG_LAST, 100, 4);
                case SECOND_FIRST_WHILE_INCOMPLETE -> {
                    raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
                    raw(ring, REQUEST, 2, FLAG_FIRST, 100, 40);
                }
                case CALL_ID_CHANGES -> {
                    raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
                    raw(ring, REQUEST, 2, FLAG_LAST, 100, 60);
                }
                case TYPE_CHANGES -> {
                    raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
                    raw(ring, RESPONSE, 1, FLAG_LAST, 100, 60);
                }
                case TOTAL_CHANGES -> {
                    raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
                    raw(ring, REQUEST, 1, FLAG_LAST, 101, 61);
                }
                case LAST_FRAGMENT_SHORT -> {
                    raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
                    raw(ring, REQUEST, 1, FLAG_LAST, 100, 59);
                }
                case MIDDLE_FRAGMENT_OVERRUNS -> {
                    raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
                    raw(ring, REQUEST, 1, 0, 100, 64);
                }
                case FIRST_FRAGMENT_HOLDS_EVERYTHING -> raw(ring, REQUEST, 1, FLAG_FIRST, 40, 40);
                case EMPTY_FIRST_FRAGMENT -> raw(ring, REQUEST, 1, FLAG_FIRST, 100, 0);
                case EMPTY_MIDDLE_FRAGMENT -> {
                    raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
                    raw(ring, REQUEST, 1, 0, 100, 0);
                }
                case UNKNOWN_RECORD_TYPE -> raw(ring, 5, 1, 3, 4, 4);
                case NEGATIVE_ABORT_SLOT -> {
                    raw(ring, REQUEST, 1, 3, 4, 4);
                    ring.region().set(ValueLayout.JAVA_INT, RingDescriptor.DATA_OFFSET + RecordDescriptor.BODY_OFFSET
                            + MessageDescriptor.ABORT_SLOT_OFFSET, -2);
                }
            }
            raw(ring, RESPONSE, 99, 3, 4, 4); // a valid message after the corruption

            assertThatThrownBy(() -> receiver.poll(collector, 100)).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("message record at offset");
            assertThat(receiver.isAssembling()).isFalse();
            assertThat(receiver.poll(collector, 100)).isEqualTo(1);
            assertThat(collector.messages).extracting(Message::callId).containsExactly(99L);
        }
    }

    /** Writes one fragment of callId 1 carrying {@code payload[from, from + length)}. */
    private static void fragment(MpscRing ring, int flags, long total, byte[] payload, int from, int length) {
        long record = ring.tryClaim(REQUEST, MessageDescriptor.HEADER_LENGTH + length);
        assertThat(record).isNotEqualTo(MpscRing.INSUFFICIENT_CAPACITY);
        long body = record + RecordDescriptor.BODY_OFFSET;
        MemorySegment region = ring.region();
        region.set(ValueLayout.JAVA_LONG, body + MessageDescriptor.CALL_ID_OFFSET, 1L);
        region.set(ValueLayout.JAVA_INT, body + MessageDescriptor.CODE_OFFSET, 5);
        region.set(ValueLayout.JAVA_INT, body + MessageDescriptor.ABORT_SLOT_OFFSET, -1);
        region.set(ValueLayout.JAVA_INT, body + MessageDescriptor.FLAGS_OFFSET, flags);
        region.set(ValueLayout.JAVA_LONG, body + MessageDescriptor.TOTAL_PAYLOAD_LENGTH_OFFSET, total);
        MemorySegment.copy(payload, from, region, ValueLayout.JAVA_BYTE, body + MessageDescriptor.PAYLOAD_OFFSET, length);
        ring.commit(record);
    }

    @Test
    void anAnnouncedTotalIsNotAllocatedBeforeItsBytesArrive() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            MessageReceiver receiver = new MessageReceiver(ring, 1L << 30);
            Collector collector = new Collector();

            raw(ring, REQUEST, 1, FLAG_FIRST, 1L << 30, 40); // a peer announcing 1 GiB, sending 40 bytes
            assertThat(receiver.poll(collector, 1)).isEqualTo(1);

            assertThat(receiver.isAssembling()).isTrue();
            assertThat(receiver.bufferCapacity()).isLessThanOrEqualTo(MessageReceiver.KEEP_BUFFER_BYTES);
            raw(ring, REQUEST, 2, FLAG_FIRST, 100, 40); // breaks off: the partial message is dropped
            assertThatThrownBy(() -> receiver.poll(collector, 1)).isInstanceOf(ProtocolException.class);
            assertThat(receiver.bufferCapacity()).isLessThanOrEqualTo(MessageReceiver.KEEP_BUFFER_BYTES);
        }
    }

    @Test
    void aLargeMessageGrowsItsBufferWithWhatArrivedAndArrivesIntact() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            MessageReceiver receiver = new MessageReceiver(ring, 1L << 30);
            Collector collector = new Collector();
            byte[] payload = LaneTesting.bytes((int) (5 * MessageReceiver.KEEP_BUFFER_BYTES + 12_345), 3);
            int step = 7_000;

            for (int from = 0; from < payload.length; from += step) {
                int length = Math.min(step, payload.length - from);
                int flags = (from == 0 ? FLAG_FIRST : 0) | (from + length == payload.length ? FLAG_LAST : 0);
                fragment(ring, flags, payload.length, payload, from, length);
                assertThat(receiver.poll(collector, 1)).isEqualTo(1);
                if (receiver.isAssembling()) {
                    assertThat(receiver.bufferCapacity()).as("capacity after %d bytes", from + length)
                            .isLessThanOrEqualTo(Math.max(MessageReceiver.KEEP_BUFFER_BYTES, 2L * (from + length)));
                }
            }

            assertThat(collector.messages).singleElement().satisfies(m -> assertThat(m.payload()).isEqualTo(payload));
        }
    }

    @Test
    void aLargeBufferIsReusedByTheNextLargeMessageAndDroppedOnceTheRingStaysIdle() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            AtomicLong clock = new AtomicLong(1_000);
            MessageReceiver receiver = new MessageReceiver(ring, 1L << 30, clock::get);
            Collector collector = new Collector();
            byte[] first = LaneTesting.bytes((int) (3 * MessageReceiver.KEEP_BUFFER_BYTES + 999), 3);
            byte[] second = LaneTesting.bytes(first.length - 17, 5);

            sendInFragments(ring, receiver, collector, first, 7_000);
            long kept = receiver.bufferCapacity();
            assertThat(kept).as("kept after delivery").isGreaterThanOrEqualTo(first.length);
            for (int from = 0; from < second.length; from += 7_000) {
                int length = Math.min(7_000, second.length - from);
                int flags = (from == 0 ? FLAG_FIRST : 0) | (from + length == second.length ? FLAG_LAST : 0);
                fragment(ring, flags, second.length, second, from, length);
                assertThat(receiver.poll(collector, 1)).isEqualTo(1);
                assertThat(receiver.bufferCapacity()).as("no new buffer for the second message").isEqualTo(kept);
            }
            assertThat(collector.messages).extracting(Message::payload).containsExactly(first, second);

            clock.addAndGet(MessageReceiver.IDLE_RELEASE_NANOS);
            assertThat(receiver.poll(collector, 1)).isZero();
            assertThat(receiver.bufferCapacity()).as("idle for exactly the release time").isEqualTo(kept);
            clock.addAndGet(1);
            assertThat(receiver.poll(collector, 1)).isZero();
            assertThat(receiver.bufferCapacity()).as("dropped once idle longer").isZero();
        }
    }

    @Test
    void aBufferOfUpToTheKeptSizeIsNeverDroppedForIdleness() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            AtomicLong clock = new AtomicLong();
            MessageReceiver receiver = new MessageReceiver(ring, 1L << 30, clock::get);
            Collector collector = new Collector();

            sendInFragments(ring, receiver, collector, LaneTesting.bytes(200_000, 9), 7_000);
            long kept = receiver.bufferCapacity();
            clock.addAndGet(1000 * MessageReceiver.IDLE_RELEASE_NANOS);
            assertThat(receiver.poll(collector, 1)).isZero();

            assertThat(kept).isPositive().isLessThanOrEqualTo(MessageReceiver.KEEP_BUFFER_BYTES);
            assertThat(receiver.bufferCapacity()).isEqualTo(kept);
        }
    }

    @Test
    void aRejectedRecordDropsALargeBufferAtOnce() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 64 * 1024);
            MessageReceiver receiver = new MessageReceiver(ring, 1L << 30, () -> 0L);
            Collector collector = new Collector();
            sendInFragments(ring, receiver, collector, LaneTesting.bytes((int) (3 * MessageReceiver.KEEP_BUFFER_BYTES), 4),
                    7_000);
            assertThat(receiver.bufferCapacity()).isGreaterThan(MessageReceiver.KEEP_BUFFER_BYTES);

            raw(ring, REQUEST, 9, 0, 100, 40); // a continuation with no message started

            assertThatThrownBy(() -> receiver.poll(collector, 1)).isInstanceOf(ProtocolException.class);
            assertThat(receiver.bufferCapacity()).isZero();
        }
    }

    private static void sendInFragments(MpscRing ring, MessageReceiver receiver, Collector collector, byte[] payload,
            int step) {
        for (int from = 0; from < payload.length; from += step) {
            int length = Math.min(step, payload.length - from);
            int flags = (from == 0 ? FLAG_FIRST : 0) | (from + length == payload.length ? FLAG_LAST : 0);
            fragment(ring, flags, payload.length, payload, from, length);
            assertThat(receiver.poll(collector, 1)).isEqualTo(1);
        }
    }

    @Test
    void fragmentedMessageSurvivesUnfragmentedMessagesInBetween() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 4096);
            raw(ring, REQUEST, 1, FLAG_FIRST, 100, 40);
            raw(ring, RESPONSE, 7, 3, 2, 2);
            raw(ring, REQUEST, 1, 0, 100, 30);
            raw(ring, REQUEST, 8, 3, 0, 0);
            raw(ring, REQUEST, 1, FLAG_LAST, 100, 30);
            Collector collector = new Collector();

            assertThat(new MessageReceiver(ring, 100).poll(collector, 100)).isEqualTo(5);

            assertThat(collector.messages).extracting(Message::callId).containsExactly(7L, 8L, 1L);
            assertThat(collector.messages.get(2).payload()).hasSize(100);
        }
    }

    @Test
    void handlerExceptionDropsThePartialMessageAndConsumesTheRecord() {
        try (Arena arena = Arena.ofConfined()) {
            MpscRing ring = LaneTesting.ring(arena, 4096);
            MessageSender sender = new MessageSender(ring, new IdleStrategy(IdlePolicy.LOW_CPU));
            sender.send(REQUEST, 1, 1, -1, payload(2000, 1), ALIVE);
            sender.send(REQUEST, 2, 1, -1, payload(3, 1), ALIVE);
            MessageReceiver receiver = new MessageReceiver(ring, 10_000);
            assertThatThrownBy(() -> receiver.poll((t, c, code, a, p) -> {
                throw new IllegalStateException("boom " + c);
            }, 100)).hasMessage("boom 1");
            assertThat(receiver.isAssembling()).isFalse();
            Collector collector = new Collector();
            assertThat(receiver.poll(collector, 100)).isEqualTo(1);
            assertThat(collector.messages).extracting(Message::callId).containsExactly(2L);
        }
    }
}
