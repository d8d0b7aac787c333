package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.ProtocolException;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LaneTest {
    private static final int REQUESTS = 4096;
    private static final int RESPONSES = 2048;
    private static final int ABORT_BITS = 258;

    private Arena arena;
    private MemorySegment memory;
    private Lane host;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        memory = arena.allocate(Lane.requiredBytes(REQUESTS, RESPONSES, ABORT_BITS) + 4096, 4096);
        memory.fill((byte) 0x5A); // format must not rely on zeroed memory
        host = Lane.format(memory, REQUESTS, RESPONSES, ABORT_BITS, Waiter.platform());
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    @Test
    void formatLaysOutTheHeaderAndBothRingsWhereTheDescriptorSays() {
        long header = LaneDescriptor.headerLength(ABORT_BITS);
        assertThat(memory.get(ValueLayout.JAVA_LONG, LaneDescriptor.MAGIC_OFFSET)).isEqualTo(LaneDescriptor.MAGIC);
        assertThat(memory.get(ValueLayout.JAVA_INT, LaneDescriptor.VERSION_OFFSET)).isEqualTo(LaneDescriptor.VERSION);
        assertThat(memory.get(ValueLayout.JAVA_INT, LaneDescriptor.HEADER_LENGTH_OFFSET)).isEqualTo((int) header);
        assertThat(host.segment().byteSize()).isEqualTo(Lane.requiredBytes(REQUESTS, RESPONSES, ABORT_BITS));
        assertThat(host.requests().region().address() - memory.address()).isEqualTo(header);
        assertThat(host.responses().region().address() - memory.address())
                .isEqualTo(header + RingDescriptor.regionBytes(REQUESTS));
        assertThat(host.requests().capacity()).isEqualTo(REQUESTS);
        assertThat(host.responses().capacity()).isEqualTo(RESPONSES);
        assertThat(host.aborts().capacity()).isEqualTo(ABORT_BITS);
        assertThat(host.workerState()).isEqualTo(LaneDescriptor.WORKER_STARTING);
        assertThat(host.hostState()).isEqualTo(LaneDescriptor.HOST_RUNNING);
        assertThat(host.hostPid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(host.workerPid()).isZero();
        assertThat(host.heartbeat()).isZero();
        for (int slot = 0; slot < ABORT_BITS; slot++) {
            assertThat(host.aborts().isRaised(slot)).isFalse();
        }
    }

    @Test
    void attachedLaneSharesEveryFieldAndRingWithTheHost() {
        Lane worker = Lane.attach(memory, Waiter.platform());
        worker.workerPid(1234);
        worker.workerState(LaneDescriptor.WORKER_READY);
        worker.heartbeat(99);
        host.hostState(LaneDescriptor.HOST_STOP_REQUESTED);
        host.aborts().raise(257);
        LaneTesting.write(host.requests(), MessageDescriptor.REQUEST, new byte[] {1, 2, 3});
        LaneTesting.write(worker.responses(), MessageDescriptor.RESPONSE, new byte[] {4});

        assertThat(host.workerPid()).isEqualTo(1234);
        assertThat(host.workerState()).isEqualTo(LaneDescriptor.WORKER_READY);
        assertThat(host.heartbeat()).isEqualTo(99);
        assertThat(worker.hostState()).isEqualTo(LaneDescriptor.HOST_STOP_REQUESTED);
        assertThat(worker.aborts().isRaised(257)).isTrue();
        int[] types = new int[2];
        assertThat(worker.requests().read((type, region, offset, length) -> types[0] = type, 10)).isEqualTo(1);
        assertThat(host.responses().read((type, region, offset, length) -> types[1] = type, 10)).isEqualTo(1);
        assertThat(types).containsExactly(MessageDescriptor.REQUEST, MessageDescriptor.RESPONSE);
    }

    private void assertAttachFails(Consumer<MemorySegment> corrupt, String expected) {
        corrupt.accept(memory);
        assertThatThrownBy(() -> Lane.attach(memory, Waiter.platform())).isInstanceOf(ProtocolException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void attachRejectsABadMagic() {
        assertAttachFails(m -> m.set(ValueLayout.JAVA_LONG, LaneDescriptor.MAGIC_OFFSET, 42L), "magic=0x2a");
    }

    @Test
    void attachRejectsAnUnpublishedLane() {
        assertAttachFails(m -> m.set(ValueLayout.JAVA_INT, LaneDescriptor.VERSION_OFFSET, 0), "version=0");
    }

    @Test
    void attachRejectsAnotherVersion() {
        assertAttachFails(m -> m.set(ValueLayout.JAVA_INT, LaneDescriptor.VERSION_OFFSET, LaneDescriptor.VERSION + 1),
                "version=" + (LaneDescriptor.VERSION + 1));
    }

    @Test
    void attachRejectsAHeaderLengthThatDoesNotMatchTheAbortBits() {
        assertAttachFails(m -> m.set(ValueLayout.JAVA_INT, LaneDescriptor.HEADER_LENGTH_OFFSET, 512), "headerLength=512");
    }

    @Test
    void attachRejectsAbortBitsOutOfRange() {
        assertAttachFails(m -> m.set(ValueLayout.JAVA_INT, LaneDescriptor.ABORT_BITS_OFFSET, -1), "abortBits=-1");
    }

    @Test
    void attachRejectsABadRingCapacity() {
        assertAttachFails(m -> m.set(ValueLayout.JAVA_INT, LaneDescriptor.RESPONSE_CAPACITY_OFFSET, 3000),
                "responseCapacity=3000");
    }

    @Test
    void attachRejectsARingWhoseOwnCapacityDisagreesWithTheHeader() {
        long ringCapacity = LaneDescriptor.headerLength(ABORT_BITS) + RingDescriptor.CAPACITY_OFFSET;
        assertAttachFails(m -> m.set(ValueLayout.JAVA_INT, ringCapacity, 1024), "differ from the lane header");
    }

    @Test
    void attachRejectsASegmentSmallerThanTheHeaderDescribes() {
        memory.set(ValueLayout.JAVA_INT, LaneDescriptor.REQUEST_CAPACITY_OFFSET, 1 << 20);
        assertThatThrownBy(() -> Lane.attach(memory, Waiter.platform())).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("is smaller than the").hasMessageContaining("requestCapacity=1048576");
        assertThatThrownBy(() -> Lane.attach(memory.asSlice(0, 256), Waiter.platform()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("smaller than the header");
    }

    @Test
    void formatRejectsATooSmallOrMisalignedSegment() {
        assertThatThrownBy(() -> Lane.format(memory.asSlice(0, 4096), REQUESTS, RESPONSES, ABORT_BITS, Waiter.platform()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smaller");
        assertThatThrownBy(() -> Lane.format(memory.asSlice(64), REQUESTS, RESPONSES, ABORT_BITS, Waiter.platform()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aligned");
        assertThatThrownBy(() -> Lane.requiredBytes(REQUESTS, RESPONSES, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abortBits=-1");
        assertThatThrownBy(() -> Lane.requiredBytes(1000, RESPONSES, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity=1000");
    }

    @Test
    void laneWithoutAbortSlotsWorks() {
        Lane lane = Lane.format(memory, 1024, 1024, 0, Waiter.platform());
        assertThat(lane.aborts().capacity()).isZero();
        assertThat(Lane.attach(memory, Waiter.platform()).requests().region().address() - memory.address())
                .isEqualTo(LaneDescriptor.ABORT_BITSET_OFFSET);
    }
}
