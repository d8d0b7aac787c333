package dev.knitting.internal.lane;

import static dev.knitting.internal.lane.LaneTesting.bytes;
import static dev.knitting.internal.lane.LaneTesting.write;
import static dev.knitting.internal.lane.RingDescriptor.DATA_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.ProtocolException;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MpscRingTest {
    private static final int CAPACITY = 1024;

    private Arena arena;
    private MpscRing ring;
    private final List<Received> received = new ArrayList<>();
    private final RecordHandler collect = (type, region, offset, length) ->
            received.add(new Received(type, region.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)));

    record Received(int type, byte[] body) {
    }

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        ring = LaneTesting.ring(arena, CAPACITY);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private void setInt(long offset, int value) {
        ring.region().set(ValueLayout.JAVA_INT, offset, value);
    }

    private void setLong(long offset, long value) {
        ring.region().set(ValueLayout.JAVA_LONG, offset, value);
    }

    @Test
    void writtenRecordIsReadOnceWithItsTypeAndBodyAndItsBytesAreZeroedAfterwards() {
        assertThat(ring.capacity()).isEqualTo(CAPACITY);
        assertThat(ring.maxRecordBodyLength()).isEqualTo(CAPACITY / 8 - 8);
        assertThat(ring.hasCommittedRecord()).isFalse();
        byte[] body = bytes(10, 1);
        long record = write(ring, 7, body);
        assertThat(record).isEqualTo(DATA_OFFSET);
        assertThat(ring.tailPosition()).isEqualTo(24);
        assertThat(ring.hasCommittedRecord()).isTrue();

        assertThat(ring.read(collect, 10)).isEqualTo(1);

        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(7);
            assertThat(r.body()).isEqualTo(body);
        });
        assertThat(ring.headPosition()).isEqualTo(24);
        assertThat(ring.hasCommittedRecord()).isFalse();
        assertThat(ring.region().asSlice(DATA_OFFSET, CAPACITY).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
        assertThat(ring.read(collect, 10)).isZero();
    }

    @Test
    void readHandlesAtMostLimitRecordsInOrder() {
        for (int i = 0; i < 5; i++) {
            write(ring, 1 + i, bytes(i * 3, i));
        }
        assertThat(ring.read(collect, 2)).isEqualTo(2);
        assertThat(ring.read(collect, 10)).isEqualTo(3);
        assertThat(received).extracting(Received::type).containsExactly(1, 2, 3, 4, 5);
        assertThat(received.get(4).body()).isEqualTo(bytes(12, 4));
    }

    @Test
    void claimThatWouldStraddleTheEndWritesPaddingAndWrapsToTheStart() {
        int full = ring.maxRecordBodyLength(); // record of 128 bytes
        for (int i = 0; i < 7; i++) {
            write(ring, 1, bytes(full, i));
        }
        write(ring, 1, bytes(56, 9)); // 64 bytes: tail at 960, 64 left before the end
        assertThat(ring.read(collect, 100)).isEqualTo(8);
        received.clear();

        long record = write(ring, 2, bytes(full, 3));

        assertThat(record).isEqualTo(DATA_OFFSET);
        assertThat(ring.region().get(ValueLayout.JAVA_INT, DATA_OFFSET + 960)).isEqualTo(64);
        assertThat(ring.region().get(ValueLayout.JAVA_INT, DATA_OFFSET + 964)).isEqualTo(RecordDescriptor.PADDING_TYPE);
        assertThat(ring.tailPosition()).isEqualTo(1024 + 128);
        assertThat(ring.read(collect, 100)).isEqualTo(1);
        assertThat(received).singleElement().satisfies(r -> assertThat(r.body()).isEqualTo(bytes(full, 3)));
        assertThat(ring.headPosition()).isEqualTo(1024 + 128);
    }

    @Test
    void fullRingReturnsInsufficientCapacityAndSucceedsAfterARead() {
        int full = ring.maxRecordBodyLength();
        for (int i = 0; i < 8; i++) {
            write(ring, 1, bytes(full, i));
        }
        assertThat(ring.tryClaim(1, full)).isEqualTo(MpscRing.INSUFFICIENT_CAPACITY);
        assertThat(ring.tryClaim(1, 0)).isEqualTo(MpscRing.INSUFFICIENT_CAPACITY);

        assertThat(ring.read(collect, 1)).isEqualTo(1);

        assertThat(ring.tryClaim(1, full)).isNotEqualTo(MpscRing.INSUFFICIENT_CAPACITY);
        assertThat(ring.tryClaim(1, 0)).isEqualTo(MpscRing.INSUFFICIENT_CAPACITY);
    }

    @Test
    void wrapNeedsFreeSpaceAtTheStartNotOnlyInTotal() {
        int full = ring.maxRecordBodyLength();
        for (int i = 0; i < 7; i++) {
            write(ring, 1, bytes(full, i));
        }
        write(ring, 1, bytes(56, 0)); // tail 960
        assertThat(ring.read(collect, 1)).isEqualTo(1); // head 128: 192 bytes free, but only 64 at the end
        assertThat(ring.tryClaim(1, 120)).isNotEqualTo(MpscRing.INSUFFICIENT_CAPACITY); // 128 at index 0
        assertThat(ring.tryClaim(1, 0)).isEqualTo(MpscRing.INSUFFICIENT_CAPACITY); // index 128 is the head
    }

    @Test
    void claimedRecordBlocksLaterCommittedRecordsUntilItIsCommitted() {
        long first = ring.tryClaim(1, 4);
        write(ring, 2, bytes(4, 2));
        assertThat(ring.hasCommittedRecord()).isFalse();
        assertThat(ring.read(collect, 10)).isZero();

        ring.commit(first);

        assertThat(ring.read(collect, 10)).isEqualTo(2);
        assertThat(received).extracting(Received::type).containsExactly(1, 2);
    }

    @Test
    void abandonedClaimBecomesPaddingTheConsumerSkips() {
        long abandoned = ring.tryClaim(1, 13);
        write(ring, 2, bytes(3, 2));

        ring.abandon(abandoned);

        assertThat(ring.read(collect, 10)).isEqualTo(1);
        assertThat(received).extracting(Received::type).containsExactly(2);
        assertThat(ring.headPosition()).isEqualTo(ring.tailPosition()).isEqualTo(24 + 16);
    }

    @Test
    void committingTwiceIsRejected() {
        long record = write(ring, 1, bytes(3, 0));
        assertThatThrownBy(() -> ring.commit(record)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("offset " + record);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 121, Integer.MAX_VALUE})
    void claimRejectsBodyLengthsOutsideTheRecordLimit(int bodyLength) {
        assertThatThrownBy(() -> ring.tryClaim(1, bodyLength)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bodyLength=" + bodyLength);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, -7, Integer.MIN_VALUE})
    void claimRejectsTypesBelowOne(int type) {
        assertThatThrownBy(() -> ring.tryClaim(type, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type=" + type);
    }

    @Test
    void handlerExceptionStillConsumesTheRecordsUpToTheFailingOne() {
        write(ring, 1, bytes(1, 1));
        write(ring, 2, bytes(2, 2));
        write(ring, 3, bytes(3, 3));
        RecordHandler failOnSecond = (type, region, offset, length) -> {
            received.add(new Received(type, new byte[0]));
            if (type == 2) {
                throw new IllegalStateException("boom");
            }
        };

        assertThatThrownBy(() -> ring.read(failOnSecond, 10)).isInstanceOf(IllegalStateException.class);

        assertThat(ring.headPosition()).isEqualTo(32);
        assertThat(ring.read(collect, 10)).isEqualTo(1);
        assertThat(received).extracting(Received::type).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -3, -7, Integer.MIN_VALUE, 1, 4, 7, CAPACITY + 8, Integer.MAX_VALUE, -(CAPACITY + 8)})
    void invalidLengthAtTheHeadIsAProtocolErrorNamingOffsetAndValue(int length) {
        setLong(RingDescriptor.TAIL_POSITION_OFFSET, CAPACITY);
        setInt(DATA_OFFSET, length);
        setInt(DATA_OFFSET + 4, 1);

        assertThatThrownBy(() -> ring.read(collect, 10)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("offset " + DATA_OFFSET).hasMessageContaining("length=" + length);
        assertThat(received).isEmpty();
    }

    @Test
    void lengthPastTheEndOfTheDataAreaIsAProtocolError() {
        write(ring, 1, bytes(ring.maxRecordBodyLength(), 0));
        ring.read(collect, 1); // head 128
        setLong(RingDescriptor.TAIL_POSITION_OFFSET, CAPACITY + 128);
        setInt(DATA_OFFSET + 128, CAPACITY - 64); // fits the ring, not the 896 bytes left before the end
        setInt(DATA_OFFSET + 132, 1);

        assertThatThrownBy(() -> ring.read(collect, 10)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("length=" + (CAPACITY - 64));
    }

    @Test
    void recordPassingTheTailIsAProtocolError() {
        setInt(DATA_OFFSET, 16);
        setInt(DATA_OFFSET + 4, 1);

        assertThatThrownBy(() -> ring.read(collect, 10)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("tail position 0");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -2, -100, Integer.MIN_VALUE})
    void unknownTypeAtTheHeadIsAProtocolErrorAndRecordsBeforeItAreConsumed(int type) {
        write(ring, 1, bytes(2, 0));
        long bad = write(ring, 1, bytes(2, 0));
        setInt(bad + 4, type);

        assertThatThrownBy(() -> ring.read(collect, 10)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("offset " + bad).hasMessageContaining("type=" + type);
        assertThat(received).hasSize(1);
        assertThat(ring.headPosition()).isEqualTo(16);
    }

    @Test
    void misalignedHeadIsAProtocolError() {
        setLong(RingDescriptor.HEAD_POSITION_OFFSET, 12);
        assertThatThrownBy(() -> ring.read(collect, 1)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("head=12");
        assertThatThrownBy(ring::hasCommittedRecord).isInstanceOf(ProtocolException.class);
    }

    @Test
    void producerRejectsHeadAheadOfTailOrTooFarBehind() {
        setLong(RingDescriptor.HEAD_POSITION_OFFSET, 64);
        assertThatThrownBy(() -> ring.tryClaim(1, 1)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("head=64 tail=0");
        setLong(RingDescriptor.HEAD_POSITION_OFFSET, 0);
        setLong(RingDescriptor.TAIL_POSITION_OFFSET, 2L * CAPACITY);
        assertThatThrownBy(() -> ring.tryClaim(1, 1)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("tail=" + 2 * CAPACITY);
        setLong(RingDescriptor.TAIL_POSITION_OFFSET, 3);
        assertThatThrownBy(() -> ring.tryClaim(1, 1)).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1000, 512, 1 << 31})
    void attachRejectsABadCapacity(int capacity) {
        ring.region().set(ValueLayout.JAVA_INT, RingDescriptor.CAPACITY_OFFSET, capacity);
        assertThatThrownBy(() -> MpscRing.attach(ring.region(), Waiter.platform()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("capacity=" + capacity);
    }

    @Test
    void attachRejectsARegionTooSmallForItsCapacity() {
        ring.region().set(ValueLayout.JAVA_INT, RingDescriptor.CAPACITY_OFFSET, 2 * CAPACITY);
        assertThatThrownBy(() -> MpscRing.attach(ring.region(), Waiter.platform()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("too small");
    }

    @Test
    void formatAndAttachRejectHeapAndMisalignedRegions() {
        MemorySegment heap = MemorySegment.ofArray(new byte[4096]);
        assertThatThrownBy(() -> MpscRing.format(heap, CAPACITY)).isInstanceOf(IllegalArgumentException.class);
        MemorySegment misaligned = arena.allocate(4096, 128).asSlice(8);
        assertThatThrownBy(() -> MpscRing.attach(misaligned, Waiter.platform()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
