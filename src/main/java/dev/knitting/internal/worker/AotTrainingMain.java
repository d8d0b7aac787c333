package dev.knitting.internal.worker;

import dev.knitting.IdlePolicy;
import dev.knitting.Knitting;
import dev.knitting.SharedMemoryMode;
import dev.knitting.Pool;
import dev.knitting.Task;
import dev.knitting.internal.os.MappedRegion;
import dev.knitting.internal.os.SharedMemory;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.spawn.BootData;
import dev.knitting.internal.spawn.HostWatch;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The training run of the worker JVMs' AOT cache ({@code dev.knitting.internal.spawn.WorkerAotCache}):
 * started with the workers' own command line (class path, JVM options) plus
 * {@code -XX:AOTCacheOutput}, it goes through what a worker's boot loads and links, so that the JVM
 * writes those classes into the cache as it exits.
 *
 * <p>It runs Knitting's code only: its own two tasks, never a task or bootstrap class of the pool
 * (those run confined, in the workers; this run is not confined). What it goes through: boot data
 * decoding, a lane's memory created, reopened through {@code /proc/self/fd} and mapped, the platform
 * waiter, the host watch on its parent's pidfd, and a thread pool's calls, which run the very lane,
 * codec, task table and worker loop classes a process worker runs.
 *
 * <p>Exit codes: 0 when trained (the JVM then writes the cache), {@value #EXIT_FAILED} otherwise.
 */
public final class AotTrainingMain {
    /** The training went wrong; the cache is not written. */
    public static final int EXIT_FAILED = 72;
    /** The tiny call of the training. */
    public static final Task<Integer, Integer> INC = Task.of(v -> v + 1);
    /** A call with a string payload both ways. */
    public static final Task<String, String> ECHO = Task.of(s -> s);

    private static final int CALLS = 2_000;
    private static final long LANE_BYTES = 1 << 16;

    private AotTrainingMain() {
    }

    /** @param args none */
    public static void main(String[] args) {
        try {
            train();
        } catch (RuntimeException | Error e) {
            System.err.println("knitting AOT training failed: " + e);
            e.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_FAILED);
        }
        System.exit(0);
    }

    private static void train() {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        BootData boot = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(0, List.of("INC", "ECHO"), 1L, Set.of(), 1 << 20, IdlePolicy.BALANCED, "", ""),
                LANE_BYTES, SharedMemoryMode.INHERIT, "", 1, parent, -1, false);
        BootData.decode(boot.encode());
        try (MappedRegion lane = SharedMemory.createAnonymous("knitting-aot-training", LANE_BYTES);
             MappedRegion reopened = SharedMemory.openPath(lane.fdPath())) {
            reopened.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L);
        }
        Waiter.platform();
        HostWatch watch = HostWatch.start(parent, -1, reason -> { });
        watch.hostAlive();
        watch.closeAndAwait(Duration.ofSeconds(30));
        try (Pool pool = Knitting.pool().threads(1).start(AotTrainingMain.class)) {
            for (int i = 0; i < CALLS; i++) {
                int answer = pool.call(INC, i).join();
                if (answer != i + 1) {
                    throw new IllegalStateException("INC(" + i + ") answered " + answer);
                }
                if (i % 10 == 0) {
                    String text = "knit " + i;
                    if (!text.equals(pool.call(ECHO, text).join())) {
                        throw new IllegalStateException("ECHO(" + text + ") answered something else");
                    }
                }
            }
        }
    }
}
