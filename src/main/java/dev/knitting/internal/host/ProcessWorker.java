package dev.knitting.internal.host;

import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.spawn.ExitStatus;
import dev.knitting.internal.spawn.WorkerProcess;
import java.util.concurrent.CompletableFuture;

/** A worker JVM: its exit becomes the {@link WorkerCrashedException} its taken calls fail with. */
final class ProcessWorker implements WorkerHandle {
    private final WorkerProcess process;
    private final DescriptorChannel descriptors;
    private final CompletableFuture<WorkerCrashedException> exited;

    /** @param descriptors the host's end of the worker's descriptor channel, taken over; null if none */
    ProcessWorker(int index, WorkerProcess process, DescriptorChannel descriptors) {
        this.process = process;
        this.descriptors = descriptors;
        // a class, not a lambda: a cold host makes it when it starts its first worker (no class spun)
        this.exited = process.onExit().thenApply(new java.util.function.Function<>() {
            @Override
            public WorkerCrashedException apply(ExitStatus status) {
                if (descriptors != null) {
                    descriptors.close(); // what the worker never took goes with it
                }
                return crash(index, status);
            }
        });
    }

    @Override
    public DescriptorChannel descriptors() {
        return descriptors;
    }

    private WorkerCrashedException crash(int index, ExitStatus status) {
        String tail = process.stderr().tail();
        return new WorkerCrashedException("worker " + index + " (pid " + process.pid() + ") died: " + status.describe()
                + (tail.isBlank() ? "" : "; stderr tail:\n" + tail),
                status.signaled() ? null : status.code(), status.signaled() ? status.signal() : null, tail, null);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    String stderrTail() {
        return process.stderr().tail();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public CompletableFuture<WorkerCrashedException> exited() {
        return exited;
    }

    @Override
    public void stopRunaway(long callId) {
        process.kill();
    }

    @Override
    public void kill() {
        process.kill();
    }
}
