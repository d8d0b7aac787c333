package dev.knitting;

/** Zero-copy payloads with process workers: buffers are mapped by both JVMs; references are refused. */
final class ProcessZeroCopyTest extends ZeroCopyContractTest {
    @Override
    protected PoolBuilder withWorkerKind(PoolBuilder builder) {
        return builder.runtime(WorkerRuntime.PROCESS);
    }

    @Override
    protected boolean movesReferences() {
        return false;
    }
}
