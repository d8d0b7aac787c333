package dev.knitting;

/** The {@code callAll} contract with process workers. */
final class ProcessCallAllTest extends CallAllContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }
}
