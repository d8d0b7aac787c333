package dev.knitting;

/** The deadline suite with thread workers. */
final class ThreadDeadlineTest extends DeadlineContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.THREAD);
    }
}
