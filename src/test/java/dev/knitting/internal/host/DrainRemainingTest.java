package dev.knitting.internal.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.IdlePolicy;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageHandler;
import dev.knitting.internal.lane.MessageSender;
import dev.knitting.internal.os.Waiter;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Collecting what a dead worker left in its answer ring ends even when something keeps writing
 * there: a helper process the worker forked can, and must not hold the lane's replacement back.
 */
class DrainRemainingTest {
    private static final int CAPACITY = 1 << 14;

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void collectingADeadWorkersAnswersEndsWhileAHelperKeepsWritingThem() {
        LaneMemory memory = LaneMemory.forThreadWorker(Lane.requiredBytes(CAPACITY, CAPACITY, 8));
        Lane lane = Lane.format(memory.segment(), CAPACITY, CAPACITY, 8, Waiter.platform());
        Incarnation dead = new Incarnation(0, memory, lane, IdlePolicy.BALANCED, 1 << 20);
        MessageSender helper = new MessageSender(lane.responses(), new IdleStrategy(IdlePolicy.BALANCED));
        MemorySegment forged = MemorySegment.ofArray(new byte[16]);
        AtomicLong collected = new AtomicLong();
        helper.send(MessageDescriptor.RESPONSE, 1, 0, MessageDescriptor.NO_ABORT_SLOT, forged, () -> true);
        // Every answer collected makes the helper write the next one: the ring is never empty.
        MessageHandler replenishing = (type, callId, code, abortSlot, payload) -> {
            collected.incrementAndGet();
            helper.send(MessageDescriptor.RESPONSE, callId + 1, 0, MessageDescriptor.NO_ABORT_SLOT, forged, () -> true);
        };

        dead.retire();
        dead.answers().drainRemaining(replenishing);

        assertThat(collected.get()).as("answers collected before giving up").isPositive();
        assertThat(lane.responses().hasCommittedRecord()).as("the helper's latest answer is left behind").isTrue();
        memory.release();
        memory.release();
    }
}
