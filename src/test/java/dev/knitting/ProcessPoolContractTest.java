package dev.knitting;

/**
 * The contract suite with process workers: every behaviour the thread suite pins must hold when each
 * worker is its own JVM and the lanes are memory mapped by two processes.
 */
final class ProcessPoolContractTest extends PoolContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }

    @Override
    protected boolean workersShareHeap() {
        return false;
    }
}
