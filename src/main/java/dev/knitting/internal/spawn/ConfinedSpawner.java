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

/**
 * Starts a worker with {@code posix_spawnp} ({@link LinuxSpawn}), which can hand it one descriptor
 * besides stdin, stdout and stderr (the worker's end of its descriptor channel), and, under
 * Landlock, from a fresh host thread, its <em>door</em>, that first restricts itself: the worker is
 * born restricted in all its threads (a Landlock domain passes to the processes a thread starts),
 * and each worker gets a domain of its own, which keeps it out of every other worker's
 * {@code /proc} entries.
 *
 * <p>The door ends as soon as the worker is started. Landlock lets a process reach the
 * {@code /proc/<pid>/task/<tid>} entries (descriptors, memory) only of threads of its own domain or
 * a nested one; once the door is gone, no thread of the host is, so a confined worker cannot open
 * anything of its host through {@code /proc}. What it needs of the host's descriptors comes over its
 * descriptor channel. Nothing the host keeps may be created by the door, since every thread a
 * restricted thread starts is restricted too: the door spawns with {@code posix_spawnp}, not
 * {@code ProcessBuilder} (whose reaper thread the door would create). The worker is waited for and
 * reaped by a watcher thread the (unrestricted) caller starts; a child's parent is the host
 * process, so any of its threads may wait for it after the door is gone.
 */
final class ConfinedSpawner {
    private ConfinedSpawner() {
    }

    /**
     * @param stdin the descriptor that becomes the worker's fd 0
     * @param stdout a file for the worker's stdout, or {@code null} for the host's
     * @param inherit the descriptor that becomes the worker's fd {@value LinuxSpawn#INHERITED_FD}, or -1
     * @param landlock whether to start the worker restricted by {@code grants} (from a door thread)
     * @throws IOException if the process cannot be started
     */
    static Process start(List<String> argv, Map<String, String> environment, int stdin, String stdout, int inherit,
                         List<Grant> grants, boolean allowTcp, boolean landlock) throws IOException {
        String unavailable = LinuxSpawn.unavailableReason(); // links the spawn calls here, not in the door
        if (!unavailable.isEmpty()) {
            throw new IOException("cannot start a worker with posix_spawn: " + unavailable);
        }
        int[] stderrPipe = LinuxSpawn.pipe();
        ConfinedProcess process = new ConfinedProcess();
        CompletableFuture<Integer> started = new CompletableFuture<>();
        Runnable spawn = new Runnable() { // a class, not a lambda: a cold host runs it before its first worker
            @Override
            public void run() {
                try {
                    if (landlock) {
                        Landlock.restrictCurrentThread(grants, allowTcp);
                    }
                    started.complete(LinuxSpawn.spawn(argv, environment, stdin, stdout, stderrPipe[1], inherit));
                } catch (Throwable t) {
                    started.completeExceptionally(t);
                }
            }
        };
        Thread door = null;
        if (landlock) {
            door = Thread.ofPlatform().name("knitting-worker-door").daemon().start(spawn); // ends right after the spawn
        } else {
            spawn.run();
        }
        int pid;
        try {
            pid = started.get();
            if (door != null) {
                door.join(); // gone before the worker boots its JVM, long before any task runs
            }
        } catch (ExecutionException e) {
            LinuxSpawn.close(stderrPipe[0]);
            throw new IOException("cannot start a worker (" + String.join(" ", argv) + "): "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.thenAccept(child -> {
                LinuxSpawn.kill(child, 9);
                watch(new ConfinedProcess(), child);
            });
            LinuxSpawn.close(stderrPipe[0]);
            throw new IOException("interrupted while starting a worker", e);
        } finally {
            LinuxSpawn.close(stderrPipe[1]);
        }
        process.started(pid, stream(stderrPipe[0]));
        watch(process, pid);
        return process;
    }

    /** Waits for the child on a thread of its own, then reaps it and completes {@code process}. */
    private static void watch(ConfinedProcess process, int pid) {
        Thread.ofPlatform().name("knitting-worker-reaper-" + pid).daemon().start(new Runnable() {
            @Override
            public void run() {
                int code;
                try {
                    LinuxSpawn.awaitExit(pid);
                    process.exitSeen();
                    code = LinuxSpawn.reap(pid);
                } catch (RuntimeException | Error e) {
                    code = -1;
                }
                process.exited(code);
            }
        });
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
