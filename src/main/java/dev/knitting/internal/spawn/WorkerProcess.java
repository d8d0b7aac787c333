package dev.knitting.internal.spawn;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started worker process: its {@link Process}, the tail of its stderr, and how it ended.
 *
 * <p>{@link #onExit()} completes after the process has exited and its stderr has been read to the
 * end, so {@link StderrTail#tail()} then holds the last lines; if something else keeps the pipe
 * open (a grandchild that inherited it) it completes {@value #STDERR_DRAIN_MILLIS} ms after the exit
 * anyway.
 */
public final class WorkerProcess {
    /** How long {@link #onExit()} waits for stderr's end of file after the exit. */
    public static final long STDERR_DRAIN_MILLIS = 2_000;

    private final String name;
    private final Process process;
    private final StderrTail stderr;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CompletableFuture<ExitStatus> exit;

    WorkerProcess(String name, Process process, StderrTail stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        // classes, not lambdas: a cold host makes these when it starts its first worker (no class spun)
        this.exit = process.onExit()
                .thenCompose(new java.util.function.Function<Process, CompletableFuture<Void>>() {
                    @Override
                    public CompletableFuture<Void> apply(Process p) {
                        return stderr.closed().copy().completeOnTimeout(null, STDERR_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
                    }
                })
                .thenApply(new java.util.function.Function<Void, ExitStatus>() {
                    @Override
                    public ExitStatus apply(Void ignored) {
                        return ExitStatus.of(process.exitValue(), stopRequested.get());
                    }
                });
    }

    /** @return the name given at launch, e.g. {@code knitting-worker-3} */
    public String name() {
        return name;
    }

    /** @return the JDK's process */
    public Process process() {
        return process;
    }

    /** @return the last lines of the process's stderr */
    public StderrTail stderr() {
        return stderr;
    }

    /** @return the pid of the launched process (the prefix's, when a prefix does not exec java) */
    public long pid() {
        return process.pid();
    }

    /** @return whether the process is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * @return completes once the process has exited and its stderr was drained; a copy, so callers
     *     cannot complete it for others
     */
    public CompletableFuture<ExitStatus> onExit() {
        return exit.copy();
    }

    /**
     * Kills the process and every descendant it has right now with SIGKILL ({@code destroyForcibly}):
     * a prefix that forks instead of exec'ing (a shell) does not leave an orphaned worker JVM.
     */
    public void kill() {
        stopRequested.set(true);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Asks the process to stop with SIGTERM ({@code destroy}); a JVM runs its shutdown hooks. */
    public void terminate() {
        stopRequested.set(true);
        process.destroy();
    }

    @Override
    public String toString() {
        return "WorkerProcess[" + name + ", pid=" + pid() + (process.isAlive() ? ", alive" : ", exited") + "]";
    }
}
