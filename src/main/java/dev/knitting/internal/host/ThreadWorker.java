package dev.knitting.internal.host;

import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.worker.WorkerLoop;
import java.util.concurrent.CompletableFuture;

/**
 * A worker on a platform daemon thread of this JVM. It runs the same {@link WorkerLoop} a worker
 * process runs, over lane memory from a shared arena; when the thread ends it releases its share
 * of that memory, so a task stuck past shutdown never leaves the host with freed memory in use.
 */
final class ThreadWorker implements WorkerHandle {
    private final Thread thread;
    private final WorkerLoop loop;
    private final CompletableFuture<WorkerCrashedException> exited = new CompletableFuture<>();

    ThreadWorker(String name, WorkerLoop loop, LaneMemory memory) {
        this.loop = loop;
        this.thread = new Thread(() -> {
            Throwable failure = null;
            try {
                loop.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                memory.release();
                exited.complete(new WorkerCrashedException(name + " ended"
                        + (failure == null ? "" : ": " + failure), null, null, "", failure));
            }
        }, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public boolean isAlive() {
        return !exited.isDone();
    }

    @Override
    public CompletableFuture<WorkerCrashedException> exited() {
        return exited;
    }

    @Override
    public void stopRunaway(long callId) {
        if (loop.runningCallId() == callId) {
            thread.interrupt();
        }
    }

    @Override
    public void kill() {
        thread.interrupt();
    }
}
