package dev.knitting.internal.spawn;

import dev.knitting.internal.os.Landlock;
import dev.knitting.internal.os.Landlock.Grant;
import dev.knitting.internal.os.LinuxSpawn;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Starts a worker from a fresh host thread, its <em>door</em>, that first restricts itself with
 * Landlock: the worker is born restricted in all its threads (a Landlock domain passes to the
 * processes a thread starts), and each worker gets a domain of its own, which keeps it out of
 * every other worker's {@code /proc} entries.
 *
 * <p>Nothing the host keeps may be created by the door, since every thread a restricted thread
 * starts is restricted too: the door spawns with {@code posix_spawnp} ({@link LinuxSpawn}), not
 * {@code ProcessBuilder} (whose reaper thread the door would create), waits for its worker itself,
 * and hands the exit to one unrestricted relay thread ({@link #EXITS}), on which
 * {@link Process#onExit()} completes, so no host callback runs confined.
 *
 * <p>The door lives as long as its worker. A worker reaches the host's shared buffers through it:
 * Landlock lets a process open {@code /proc/<pid>/task/<tid>/fd/<n>} only of threads of its own
 * domain, and the host's other threads are not ({@code /proc/<host>/fd} is refused). What is opened
 * there is still checked against its own path, so only memory without a path (memfds, pipes)
 * passes. The door's id reaches the worker in {@link WorkerEnv#CONFINE}.
 */
final class ConfinedSpawner {
    /** Exits of confined workers, completed here, on a thread no restricted thread started. */
    private static final LinkedBlockingQueue<Runnable> EXITS = new LinkedBlockingQueue<>();

    static {
        Thread relay = Thread.ofPlatform().name("knitting-confined-exits").daemon().unstarted(() -> {
            while (true) {
                try {
                    EXITS.take().run();
                } catch (InterruptedException e) {
                    // a daemon: it ends with the JVM
                } catch (RuntimeException | Error e) {
                    System.err.println("knitting: a confined worker's exit callback failed: " + e);
                }
            }
        });
        relay.start();
    }

    private ConfinedSpawner() {
    }

    /**
     * @param stdin the descriptor that becomes the worker's fd 0
     * @param stdout a file for the worker's stdout, or {@code null} for the host's
     * @throws IOException if the process cannot be started
     */
    static Process start(List<String> argv, Map<String, String> environment, int stdin, String stdout,
                         List<Grant> grants, boolean allowTcp, Confinement confinement) throws IOException {
        String unavailable = LinuxSpawn.unavailableReason(); // links the spawn calls here, not in the door
        if (!unavailable.isEmpty()) {
            throw new IOException("cannot start a confined worker: " + unavailable);
        }
        int[] stderrPipe = LinuxSpawn.pipe();
        ConfinedProcess process = new ConfinedProcess();
        CompletableFuture<Integer> started = new CompletableFuture<>();
        Thread door = Thread.ofPlatform().name("knitting-worker-door").daemon().unstarted(() -> {
            int pid;
            try {
                Map<String, String> env = new java.util.LinkedHashMap<>(environment);
                env.put(WorkerEnv.CONFINE, confinement.spec(Landlock.currentThreadId()).encode());
                Landlock.restrictCurrentThread(grants, allowTcp);
                pid = LinuxSpawn.spawn(argv, env, stdin, stdout, stderrPipe[1]);
            } catch (Throwable t) {
                started.completeExceptionally(t);
                return;
            }
            started.complete(pid);
            int code;
            try {
                LinuxSpawn.awaitExit(pid);
                process.exitSeen();
                code = LinuxSpawn.reap(pid);
            } catch (RuntimeException | Error e) {
                code = -1;
            }
            int exitCode = code;
            EXITS.add(() -> process.exited(exitCode));
        });
        door.start();
        try {
            int pid = started.get();
            process.started(pid, stream(stderrPipe[0]));
            return process;
        } catch (ExecutionException e) {
            LinuxSpawn.close(stderrPipe[0]);
            throw new IOException("cannot start a confined worker (" + String.join(" ", argv) + "): "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.thenAccept(pid -> process.destroyForcibly());
            throw new IOException("interrupted while starting a confined worker", e);
        } finally {
            LinuxSpawn.close(stderrPipe[1]);
        }
    }

    /** @return the pipe's read end as a stream of its own; the raw descriptor is closed */
    private static InputStream stream(int fd) throws IOException {
        try {
            return new FileInputStream("/proc/self/fd/" + fd);
        } finally {
            LinuxSpawn.close(fd);
        }
    }
}
