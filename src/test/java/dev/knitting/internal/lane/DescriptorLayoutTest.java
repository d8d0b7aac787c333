package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DescriptorLayoutTest {

    @Test
    void ringHeaderMatchesTheDiagramWithEachContendedWordOnItsOwnSlot() {
        assertThat(RingDescriptor.TAIL_POSITION_OFFSET).isEqualTo(0);
        assertThat(RingDescriptor.HEAD_POSITION_OFFSET).isEqualTo(128);
        assertThat(RingDescriptor.DATA_DOORBELL_OFFSET).isEqualTo(256);
        assertThat(RingDescriptor.SPACE_DOORBELL_OFFSET).isEqualTo(384);
        assertThat(RingDescriptor.CAPACITY_OFFSET).isEqualTo(512);
        assertThat(RingDescriptor.HEADER_LENGTH).isEqualTo(640);
        assertThat(RingDescriptor.DATA_OFFSET).isEqualTo(640);
        int[] slots = {RingDescriptor.TAIL_POSITION_OFFSET, RingDescriptor.HEAD_POSITION_OFFSET,
            RingDescriptor.DATA_DOORBELL_OFFSET, RingDescriptor.SPACE_DOORBELL_OFFSET, RingDescriptor.CAPACITY_OFFSET,
            RingDescriptor.DATA_OFFSET};
        for (int i = 0; i < slots.length; i++) {
            assertThat(slots[i] % 128).as("slot %d aligned", i).isZero();
            if (i > 0) {
                assertThat(slots[i] - slots[i - 1]).as("separation before slot %d", i).isGreaterThanOrEqualTo(128);
            }
        }
        assertThat(DoorbellDescriptor.LENGTH).isLessThanOrEqualTo(RingDescriptor.SLOT_LENGTH);
        assertThat(RingDescriptor.regionBytes(1024)).isEqualTo(640 + 1024);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 512, 1000, 1025, -1024, Integer.MIN_VALUE, 3, 1536})
    void ringCapacityMustBeAPowerOfTwoInRange(int capacity) {
        assertThatThrownBy(() -> RingDescriptor.regionBytes(capacity))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity=" + capacity);
    }

    @Test
    void recordAndDoorbellHeadersMatchTheirRulers() {
        assertThat(RecordDescriptor.LENGTH_OFFSET).isEqualTo(0);
        assertThat(RecordDescriptor.TYPE_OFFSET).isEqualTo(4);
        assertThat(RecordDescriptor.HEADER_LENGTH).isEqualTo(8);
        assertThat(RecordDescriptor.BODY_OFFSET).isEqualTo(8);
        assertThat(RecordDescriptor.ALIGNMENT).isEqualTo(8);
        assertThat(RecordDescriptor.HEADER_LENGTH % RecordDescriptor.ALIGNMENT).isZero();
        assertThat(RecordDescriptor.align(9)).isEqualTo(16);
        assertThat(RecordDescriptor.align(16)).isEqualTo(16);
        assertThat(DoorbellDescriptor.SEQUENCE_OFFSET).isEqualTo(0);
        assertThat(DoorbellDescriptor.WAITERS_OFFSET).isEqualTo(4);
        assertThat(DoorbellDescriptor.SLEEP_SEQUENCE_OFFSET).isEqualTo(8);
        assertThat(DoorbellDescriptor.LENGTH).isEqualTo(12);
    }

    @Test
    void messageHeaderMatchesItsRulerWithLongsEightByteAligned() {
        assertThat(MessageDescriptor.CALL_ID_OFFSET).isEqualTo(0);
        assertThat(MessageDescriptor.CODE_OFFSET).isEqualTo(8);
        assertThat(MessageDescriptor.ABORT_SLOT_OFFSET).isEqualTo(12);
        assertThat(MessageDescriptor.FLAGS_OFFSET).isEqualTo(16);
        assertThat(MessageDescriptor.RESERVED_OFFSET).isEqualTo(20);
        assertThat(MessageDescriptor.TOTAL_PAYLOAD_LENGTH_OFFSET).isEqualTo(24);
        assertThat(MessageDescriptor.HEADER_LENGTH).isEqualTo(32);
        assertThat(MessageDescriptor.PAYLOAD_OFFSET).isEqualTo(32);
        // Record bodies start 8-aligned, so the longs of the header are aligned in the ring.
        assertThat((RecordDescriptor.BODY_OFFSET + MessageDescriptor.CALL_ID_OFFSET) % 8).isZero();
        assertThat((RecordDescriptor.BODY_OFFSET + MessageDescriptor.TOTAL_PAYLOAD_LENGTH_OFFSET) % 8).isZero();
        assertThat(MessageDescriptor.FLAGS_UNFRAGMENTED).isEqualTo(3);
        assertThat(MessageDescriptor.REQUEST).isEqualTo(1);
        assertThat(MessageDescriptor.RESPONSE).isEqualTo(2);
        assertThat(MessageDescriptor.BOOTSTRAP).isEqualTo(3);
        assertThat(MessageDescriptor.BOOTSTRAP).isGreaterThanOrEqualTo(RecordDescriptor.MIN_MESSAGE_TYPE);
        assertThat(MessageDescriptor.BATCH_REQUEST).isEqualTo(4);
        assertThat(MessageDescriptor.isMessageType(5)).isFalse();
        // The smallest ring still carries payload in each record.
        assertThat(RingDescriptor.MIN_CAPACITY / RingDescriptor.MAX_RECORD_DIVISOR - RecordDescriptor.HEADER_LENGTH)
                .isGreaterThan(MessageDescriptor.HEADER_LENGTH);
    }

    @Test
    void laneHeaderMatchesTheDiagram() {
        assertThat(LaneDescriptor.MAGIC_OFFSET).isEqualTo(0);
        assertThat(LaneDescriptor.VERSION_OFFSET).isEqualTo(8);
        assertThat(LaneDescriptor.HEADER_LENGTH_OFFSET).isEqualTo(12);
        assertThat(LaneDescriptor.REQUEST_CAPACITY_OFFSET).isEqualTo(16);
        assertThat(LaneDescriptor.RESPONSE_CAPACITY_OFFSET).isEqualTo(20);
        assertThat(LaneDescriptor.ABORT_BITS_OFFSET).isEqualTo(24);
        assertThat(LaneDescriptor.RESERVED_OFFSET).isEqualTo(28);
        assertThat(LaneDescriptor.HOST_PID_OFFSET).isEqualTo(32);
        assertThat(LaneDescriptor.WORKER_PID_OFFSET).isEqualTo(40);
        assertThat(LaneDescriptor.IDENTITY_LENGTH).isEqualTo(48).isLessThanOrEqualTo(LaneDescriptor.SLOT_LENGTH);
        assertThat(LaneDescriptor.WORKER_STATE_OFFSET).isEqualTo(128);
        assertThat(LaneDescriptor.HOST_STATE_OFFSET).isEqualTo(256);
        assertThat(LaneDescriptor.HEARTBEAT_OFFSET).isEqualTo(384);
        assertThat(LaneDescriptor.COLLECTORS_OFFSET).isEqualTo(512);
        assertThat(LaneDescriptor.TAKEN_POSITION_OFFSET).isEqualTo(640);
        assertThat(LaneDescriptor.PUMP_DOORBELL_OFFSET).isEqualTo(768);
        assertThat(LaneDescriptor.HOST_CPU_OFFSET).isEqualTo(896);
        assertThat(LaneDescriptor.WORKER_CPU_OFFSET).isEqualTo(1024);
        assertThat(LaneDescriptor.ABORT_BITSET_OFFSET).isEqualTo(1152);
        assertThat(new String(java.nio.ByteBuffer.allocate(8).putLong(LaneDescriptor.MAGIC).array(),
                java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("KNITTING");
        assertThat(new int[] {LaneDescriptor.WORKER_STARTING, LaneDescriptor.WORKER_READY,
            LaneDescriptor.WORKER_STOPPING, LaneDescriptor.WORKER_STOPPED, LaneDescriptor.WORKER_FAILED})
                .containsExactly(0, 1, 2, 3, 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 64, 65, 258, 1024, 1025, 8192})
    void abortBitsetIsPaddedToWholeSlotsAndRingsStart128Aligned(int bits) {
        long bitsetBytes = LaneDescriptor.abortBitsetBytes(bits);
        assertThat(bitsetBytes % 128).isZero();
        assertThat(bitsetBytes * 8).isGreaterThanOrEqualTo(bits);
        assertThat(bitsetBytes - 128).isLessThan((bits + 63L) / 64 * 8);
        long header = LaneDescriptor.headerLength(bits);
        assertThat(header).isEqualTo(1152 + bitsetBytes);
        assertThat(header % 128).isZero();
        long response = header + RingDescriptor.regionBytes(4096);
        assertThat(response % 128).isZero();
        assertThat(Lane.requiredBytes(4096, 2048, bits)).isEqualTo(response + RingDescriptor.regionBytes(2048));
    }

    @Test
    void abortBitsetOf258BitsTakesOneSlot() {
        assertThat(LaneDescriptor.abortBitsetBytes(258)).isEqualTo(128);
        assertThat(LaneDescriptor.headerLength(258)).isEqualTo(1280);
    }
}
