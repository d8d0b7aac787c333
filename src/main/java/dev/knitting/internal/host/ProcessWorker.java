package dev.knitting.internal.host;

import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.spawn.ExitStatus;
import dev.knitting.internal.spawn.WorkerProcess;
import java.util.concurrent.CompletableFuture;

/** A worker JVM: its exit becomes the {@link WorkerCrashedException} its taken calls fail with. */
final class ProcessWorker implements WorkerHandle {
    private final WorkerProcess process;
    private final CompletableFuture<WorkerCrashedException> exited;

    ProcessWorker(int index, WorkerProcess process) {
        this.process = process;
        this.exited = process.onExit().thenApply(status -> crash(index, status));
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
