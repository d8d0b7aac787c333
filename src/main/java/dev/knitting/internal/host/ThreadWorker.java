package dev.knitting.internal.host;

import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.os.CurrentProcess;
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
        this.thread = new Thread(new Body(name, loop, memory, exited), name);
        thread.setDaemon(true);
    }

    /**
     * The thread's work: runs the loop, then releases the lane memory and reports how it ended. A
     * class rather than a lambda: a cold JVM spins a class for each lambda at its first use.
     */
    private record Body(String name, WorkerLoop loop, LaneMemory memory,
                        CompletableFuture<WorkerCrashedException> exited) implements Runnable {
        @Override
        public void run() {
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
        }
    }

    void start() {
        thread.start();
    }

    @Override
    public long pid() {
        return CurrentProcess.pid();
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
