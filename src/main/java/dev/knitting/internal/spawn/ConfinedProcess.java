package dev.knitting.internal.spawn;

import dev.knitting.internal.os.Errno;
import dev.knitting.internal.os.LinuxSpawn;
import dev.knitting.internal.os.NativeCallException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A worker process started by {@link ConfinedSpawner}, as a {@link Process}: a watcher thread waits
 * for it and reaps it; everything else (exit code, signals, stderr) works as with
 * {@code ProcessBuilder}. stdin and stdout are not pipes: reading or writing them gives nothing.
 *
 * <p>Signals go only to a child not reaped yet ({@link #exitSeen} is set, under {@link #lock},
 * before the watcher reaps it), so a recycled pid is never signalled.
 */
final class ConfinedProcess extends Process {
    private final Object lock = new Object();
    private final CompletableFuture<Process> exited = new CompletableFuture<>();
    private volatile int pid = -1;
    private volatile InputStream stderr = InputStream.nullInputStream();
    private volatile int exitCode;
    /** Guarded by {@link #lock}: the child has exited and may be reaped. */
    private boolean exitSeen;

    void started(int childPid, InputStream errorStream) {
        this.pid = childPid;
        this.stderr = errorStream;
    }

    /** Called by the watcher once the child has exited, before it reaps it. */
    void exitSeen() {
        synchronized (lock) {
            exitSeen = true;
        }
    }

    /** Called by the watcher (an unrestricted thread, see {@link ConfinedSpawner}) with the reaped child's exit value. */
    void exited(int code) {
        exitCode = code;
        exited.complete(this);
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            exited.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return exitCode;
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exited.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public int exitValue() {
        if (!exited.isDone()) {
            throw new IllegalThreadStateException("process " + pid + " has not exited");
        }
        return exitCode;
    }

    @Override
    public void destroy() {
        signal(15);
    }

    @Override
    public Process destroyForcibly() {
        signal(9);
        return this;
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public boolean isAlive() {
        synchronized (lock) {
            return pid > 0 && !exitSeen;
        }
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exited;
    }

    @Override
    public ProcessHandle toHandle() {
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " has exited"));
    }

    @Override
    public Stream<ProcessHandle> children() {
        return ProcessHandle.of(pid).map(ProcessHandle::children).orElse(Stream.empty());
    }

    @Override
    public Stream<ProcessHandle> descendants() {
        return ProcessHandle.of(pid).map(ProcessHandle::descendants).orElse(Stream.empty());
    }

    private void signal(int signal) {
        synchronized (lock) {
            if (pid <= 0 || exitSeen) {
                return;
            }
            try {
                LinuxSpawn.kill(pid, signal);
            } catch (NativeCallException e) {
                if (e.errno() != Errno.ESRCH) {
                    throw e;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ConfinedProcess[pid=" + pid + ", exitValue=" + (exited.isDone() ? exitCode : "not exited") + "]";
    }
}
