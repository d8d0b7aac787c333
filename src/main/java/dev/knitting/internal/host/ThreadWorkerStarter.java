package dev.knitting.internal.host;

import dev.knitting.internal.codec.Peer;

import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.worker.ResponseEncoding;
import dev.knitting.internal.worker.WorkerLoop;
import java.time.Duration;
import java.util.function.IntFunction;

/**
 * Starts thread workers: lane memory from a shared arena, the worker loop on a daemon thread that
 * loads classes with the pool's {@link WorkerClasses} loader, the bootstrap data handed over.
 */
final class ThreadWorkerStarter implements WorkerStarter {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final String poolName;
    private final PoolConfig config;
    private final IntFunction<dev.knitting.internal.worker.WorkerSpec> specs;
    private final ClassLoader loader;
    private final Peer host;
    private final BootstrapHandoff bootstrap;

    /** @param host how workers see their host: this process, moving references through the pool's transit */
    ThreadWorkerStarter(String poolName, PoolConfig config, IntFunction<dev.knitting.internal.worker.WorkerSpec> specs,
                        ClassLoader loader, BootstrapHandoff bootstrap, Peer host) {
        this.poolName = poolName;
        this.config = config;
        this.specs = specs;
        this.loader = loader;
        this.host = host;
        this.bootstrap = bootstrap;
    }

    @Override
    public String name(int index) {
        return poolName + "-worker-" + index;
    }

    @Override
    public Incarnation start(int index) {
        long bytes = Lane.requiredBytes(config.laneCapacity(), config.laneCapacity(), config.abortSignalCapacity());
        LaneMemory memory = LaneMemory.forThreadWorker(bytes);
        Waiter waiter = Waiter.inProcess(); // both sides in this JVM: no futex, no FFM linking
        Lane lane;
        try {
            lane = Lane.format(memory.segment(), config.laneCapacity(), config.laneCapacity(),
                    config.abortSignalCapacity(), waiter);
        } catch (RuntimeException | Error e) {
            memory.release();
            memory.release();
            throw e;
        }
        Incarnation incarnation = new Incarnation(index, memory, lane, config.idle(),
                Math.max(config.maxPayloadBytes(), ResponseEncoding.FAILURE_PAYLOAD_FLOOR));
        ThreadWorker worker = new ThreadWorker(name(index),
                new WorkerLoop(memory.segment(), specs.apply(index), loader, waiter, host), memory);
        incarnation.worker(worker);
        worker.start();
        try {
            WorkerReadiness.await(index, incarnation, bootstrap, START_TIMEOUT, NoOutput.INSTANCE);
        } catch (RuntimeException e) {
            incarnation.retire();
            incarnation.release();
            throw e;
        }
        return incarnation;
    }

    /** A thread worker has no output of its own to quote in a start failure. */
    private static final class NoOutput implements java.util.function.Supplier<String> {
        static final NoOutput INSTANCE = new NoOutput();

        @Override
        public String get() {
            return "";
        }
    }
}
