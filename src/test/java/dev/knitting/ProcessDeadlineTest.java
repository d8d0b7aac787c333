package dev.knitting;

/** The deadline suite with process workers. */
final class ProcessDeadlineTest extends DeadlineContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }
}
