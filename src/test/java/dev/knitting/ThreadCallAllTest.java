package dev.knitting;

/** The {@code callAll} contract with thread workers. */
final class ThreadCallAllTest extends CallAllContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.THREAD);
    }
}
