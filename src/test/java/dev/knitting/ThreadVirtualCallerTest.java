package dev.knitting;

/** The virtual-caller suite with thread workers. */
final class ThreadVirtualCallerTest extends VirtualCallerContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.THREAD);
    }
}
