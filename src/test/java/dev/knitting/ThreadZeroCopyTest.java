package dev.knitting;

/** Zero-copy payloads with thread workers: buffers are shared and references move. */
final class ThreadZeroCopyTest extends ZeroCopyContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.THREAD);
    }
}
