package dev.knitting.internal.worker;

import dev.knitting.TaskContext;
import dev.knitting.internal.lane.AbortBitset;

/** The {@link TaskContext} of one call at a worker: its abort slot in the lane's bitset. */
final class WorkerContext implements TaskContext {
    private final AbortBitset aborts;
    private final int abortSlot;
    private final int workerIndex;

    WorkerContext(AbortBitset aborts, int abortSlot, int workerIndex) {
        this.aborts = aborts;
        this.abortSlot = abortSlot;
        this.workerIndex = workerIndex;
    }

    @Override
    public boolean aborted() {
        return abortSlot >= 0 && aborts.isRaised(abortSlot);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public int workerIndex() {
        return workerIndex;
    }
}
