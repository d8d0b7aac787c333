package dev.knitting.internal.worker;

import dev.knitting.IdlePolicy;
import dev.knitting.Knitting;
import dev.knitting.SharedMemoryMode;
import dev.knitting.Pool;
import dev.knitting.Task;
import dev.knitting.TaskContext;
import dev.knitting.internal.os.MappedRegion;
import dev.knitting.internal.os.NativeProcess;
import dev.knitting.internal.os.Platforms;
import dev.knitting.internal.os.Seccomp;
import dev.knitting.internal.os.UnixSockets;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.spawn.ConfinementSpec;
import dev.knitting.internal.os.SharedMemory;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.spawn.BootData;
import dev.knitting.internal.spawn.HostWatch;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The training run of the worker JVMs' AOT cache ({@code dev.knitting.internal.spawn.WorkerAotCache}):
 * started with the workers' own command line (class path, JVM options) plus
 * {@code -XX:AOTCacheOutput}, it goes through what a worker's boot loads and links, so that the JVM
 * writes those classes into the cache as it exits.
 *
 * <p>It runs Knitting's code only: its own tasks, never a task or bootstrap class of the pool (those
 * run confined, in the workers; this run is not confined). What it goes through: the background
 * link of libc's {@code syscall}, boot data decoding, a lane's memory created, reopened through
 * {@code /proc/self/fd} and mapped, the platform waiter, the confinement spec and seccomp classes
 * (no filter installed), a descriptor channel over a socket pair of its own, the host watch waiting
 * on its parent's pidfd, and a thread pool's calls, which run the very lane, codec, task table
 * (a task with a timeout and one taking its context included) and worker loop classes a process
 * worker runs.
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
    /** The tiny call with a deadline (a task's timeout is read by the worker when it resolves its table). */
    public static final Task<Integer, Integer> INC_WITH_DEADLINE = Task.of((Integer v) -> v + 1)
            .timeout(Duration.ofMinutes(5));
    /** The tiny call of a task that takes its context (a task table's other body kind). */
    public static final Task<Integer, Integer> INC_WITH_CONTEXT = Task.withContext((Integer v, TaskContext c) -> v + 1);

    private static final int CALLS = 2_000;
    private static final long LANE_BYTES = 1 << 16;
    /** How long the training waits for its host watch to reach the pidfd. */
    private static final Duration PIDFD_WAIT = Duration.ofSeconds(5);

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
        Platforms.linkSyscallsInBackground(); // as a worker's main starts
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        BootData boot = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(0, List.of("INC", "ECHO", "INC_WITH_DEADLINE", "INC_WITH_CONTEXT"), 1L, Set.of(), 1 << 20,
                        IdlePolicy.BALANCED, "", ""),
                LANE_BYTES, SharedMemoryMode.INHERIT, "", 1, parent, -1, false);
        BootData.decode(boot.encode());
        try (MappedRegion lane = SharedMemory.createAnonymous("knitting-aot-training", LANE_BYTES);
             MappedRegion reopened = SharedMemory.openPath(lane.fdPath())) {
            reopened.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L);
        }
        Waiter.platform();
        confinementAndDescriptors();
        HostWatch watch = HostWatch.start(parent, -1, reason -> { });
        watch.hostAlive();
        awaitPidfdWait(watch);
        watch.closeAndAwait(Duration.ofSeconds(30));
        try (Pool pool = Knitting.pool().threads(1).start(AotTrainingMain.class)) {
            for (int i = 0; i < CALLS; i++) {
                int answer = pool.call(INC, i).join();
                if (answer != i + 1) {
                    throw new IllegalStateException("INC(" + i + ") answered " + answer);
                }
                if (i % 10 == 0) {
                    if (pool.call(INC_WITH_DEADLINE, i).join() != i + 1) {
                        throw new IllegalStateException("INC_WITH_DEADLINE(" + i + ") answered something else");
                    }
                    if (pool.call(INC_WITH_CONTEXT, i).join() != i + 1) {
                        throw new IllegalStateException("INC_WITH_CONTEXT(" + i + ") answered something else");
                    }
                    String text = "knit " + i;
                    if (!text.equals(pool.call(ECHO, text).join())) {
                        throw new IllegalStateException("ECHO(" + text + ") answered something else");
                    }
                }
            }
        }
    }

    /**
     * What a confined worker's boot loads before READY, short of confining this JVM: the
     * confinement spec, the seccomp classes (the kernel's answers to the probe's two harmless
     * queries; no filter is installed), and the descriptor channel over a socket pair of its own.
     */
    private static void confinementAndDescriptors() {
        Objects.requireNonNull(ProcessWorkerMain.class); // loads the workers' main class: the cache keeps it too
        ConfinementSpec.decode(new ConfinementSpec(true, false, false, true).encode());
        Seccomp.unavailableReason();
        NativeProcess.pid(); // the filter names the worker's own pid
        if (!UnixSockets.unavailableReason().isEmpty()) {
            return;
        }
        int[] pair = UnixSockets.socketPair();
        UnixSockets.closeOnExec(pair[0]);
        UnixSockets.close(pair[0]);
        new DescriptorChannel(pair[1], "the training").close();
    }

    /**
     * Waits (bounded) until the watch sleeps on the host's pidfd, so that closing it wakes the
     * thread out of that wait: the classes of the pidfd wait load as in a worker.
     */
    private static void awaitPidfdWait(HostWatch watch) {
        long deadline = System.nanoTime() + PIDFD_WAIT.toNanos();
        while (watch.mode() == HostWatch.Mode.STARTING && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
    }
}
