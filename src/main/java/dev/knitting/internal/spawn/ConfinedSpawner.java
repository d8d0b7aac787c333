package dev.knitting.internal.spawn;

import dev.knitting.internal.os.Landlock;
import dev.knitting.internal.os.Landlock.Grant;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starts a worker from a fresh host thread, its <em>door</em>, that first restricts itself with
 * Landlock: the worker is born restricted in all its threads (Landlock domains pass to processes a
 * thread starts), and a domain of its own keeps it out of every other worker's {@code /proc}.
 *
 * <p>The door then stays parked until the worker exits. A worker reaches the host's shared buffers
 * through it: Landlock lets a process open {@code /proc/<pid>/task/<tid>/fd/<n>} only of threads in
 * its own domain, and the host's other threads are not ({@code /proc/<host>/fd} is refused). The
 * door does nothing else; it holds no lock and runs no task. What a worker opens through it is
 * still checked by Landlock against the file's own path, so only memory without a path (memfds)
 * passes. Thread ids are given to the worker before it starts, in {@link WorkerEnv#CONFINE}.
 */
final class ConfinedSpawner {
    private ConfinedSpawner() {
    }

    /**
     * @param spec what the worker does to itself (its door id is filled in here)
     * @throws IOException if the process cannot be started
     */
    static Process start(ProcessBuilder builder, List<Grant> grants, boolean allowTcp, Confinement confinement)
            throws IOException {
        CompletableFuture<Process> started = new CompletableFuture<>();
        Thread door = Thread.ofPlatform().name("knitting-worker-door").daemon().unstarted(() -> {
            Process process;
            try {
                builder.environment().put(WorkerEnv.CONFINE, confinement.spec(Landlock.currentThreadId()).encode());
                Landlock.restrictCurrentThread(grants, allowTcp);
                process = builder.start();
            } catch (Throwable t) {
                started.completeExceptionally(t);
                return;
            }
            started.complete(process);
            boolean exited = false;
            while (!exited) {
                try {
                    process.waitFor();
                    exited = true;
                } catch (InterruptedException e) {
                    // the door stays open while its worker lives
                }
            }
        });
        door.start();
        try {
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("cannot start a confined worker: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.thenAccept(Process::destroyForcibly);
            throw new IOException("interrupted while starting a confined worker", e);
        }
    }
}
