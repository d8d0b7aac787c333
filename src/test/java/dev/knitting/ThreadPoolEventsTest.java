package dev.knitting;

/** The events contract with thread workers. */
final class ThreadPoolEventsTest extends PoolEventsContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.THREAD);
    }

    @Override
    protected WorkerRuntime kind() {
        return WorkerRuntime.THREAD;
    }
}
