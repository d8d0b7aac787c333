package dev.knitting.bench;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.PoolBuilder;

import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One pool used by several contenders of a scenario, so that they compare calls through the same
 * workers: on a 2-vCPU VM a separate pool per contender may land on another placement of threads
 * on vCPUs (caller and worker sharing one: ~9 us hot round trips instead of ~0.5 us) and measure
 * the placement instead of the payload. Started by the first contender that opens, stopped by the
 * last that closes.
 */
final class SharedPool {
    private final UnaryOperator<PoolBuilder> configure;
    private Pool pool;
    private int users;

    SharedPool(UnaryOperator<PoolBuilder> configure) {
        this.configure = configure;
    }

    synchronized Pool acquire() {
        if (users++ == 0) {
            pool = configure.apply(Knitting.pool()).start(BenchTasks.class);
        }
        return pool;
    }

    synchronized void release() {
        if (users > 0 && --users == 0) {
            pool.shutdown().orTimeout(20, TimeUnit.SECONDS).join();
            pool = null;
        }
    }

    /** Fails pending calls and stops workers without waiting. */
    synchronized void abandon() {
        if (pool != null) {
            pool.shutdownNow().orTimeout(5, TimeUnit.SECONDS);
        }
    }
}
