package dev.knitting.internal.host;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon timer thread per pool for task timeouts and the hard timeout, started on first use.
 * Cancelled timeouts are removed at once, so calls that finish in time cost no memory.
 */
final class CallTimer {
    private final String name;
    private ScheduledThreadPoolExecutor executor;

    CallTimer(String name) {
        this.name = name;
    }

    synchronized Future<?> schedule(Duration delay, Runnable action) {
        if (executor == null) {
            executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
        }
        return executor.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
