package dev.knitting.internal.host;

import dev.knitting.internal.worker.WorkerLoop;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A worker on a platform daemon thread of this JVM. It runs the same {@link WorkerLoop} a worker
 * process runs, over lane memory from a shared arena; when the thread ends it releases its share
 * of that memory, so a task stuck past shutdown never leaves the host with freed memory in use.
 */
final class ThreadWorker implements WorkerHandle {
    private final Thread thread;
    private final WorkerLoop loop;
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile Throwable failure;

    ThreadWorker(String name, WorkerLoop loop, LaneMemory memory) {
        this.loop = loop;
        this.thread = new Thread(() -> {
            try {
                loop.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                exited.countDown();
                memory.release();
            }
        }, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public boolean isAlive() {
        return exited.getCount() > 0;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public void interruptIfRunning(long callId) {
        if (loop.runningCallId() == callId) {
            thread.interrupt();
        }
    }

    @Override
    public boolean awaitExit(Duration timeout) {
        try {
            return exited.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
