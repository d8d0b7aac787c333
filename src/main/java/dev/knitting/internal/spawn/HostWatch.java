package dev.knitting.internal.spawn;

import dev.knitting.internal.os.NativeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker process's watch over its host: a daemon thread checks every {@code period} that the host
 * still runs and calls {@code onHostGone} once when it does not (the worker then halts).
 *
 * <p>The host is gone when any of these holds:
 * <ul>
 * <li>it was this process's parent at start and the parent pid changed: the kernel reparents
 *     orphans at the parent's exit, before anyone reaps it (one {@code getppid}, no {@code /proc});
 * <li>no process has its pid, or that process is a zombie ({@code /proc/<pid>/stat} state Z or X);
 * <li>the process with its pid started at another instant than the host: the pid was reused.
 * </ul>
 * Start instants: each JVM derives them from the kernel's boot time, which it reads once; two JVMs
 * agree unless the wall clock was stepped between their starts. So the host's own
 * {@code hostStartMillis} is compared with {@value #START_TOLERANCE_MILLIS} ms of tolerance, and
 * only when the host is not this process's parent (a parent is known to be alive); later checks
 * compare exactly with what this JVM saw at start.
 */
public final class HostWatch implements AutoCloseable {
    /** Default time between checks. */
    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(250);
    /** Largest difference between two JVMs' view of the host's start instant taken as the same host. */
    public static final long START_TOLERANCE_MILLIS = 5_000;

    private final long hostPid;
    private final boolean hostIsParent;
    private final long baselineStart;
    private final Runnable onHostGone;
    private final long periodNanos;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile boolean closed;
    private volatile String goneReason;
    private volatile Thread thread;

    private HostWatch(long hostPid, long hostStartMillis, Runnable onHostGone, Duration period) {
        this.hostPid = hostPid;
        this.onHostGone = onHostGone;
        this.periodNanos = period.toNanos();
        this.hostIsParent = NativeProcess.parentPid() == hostPid;
        long seen = startMillisOf(hostPid);
        this.baselineStart = seen;
        if (!hostIsParent && hostStartMillis >= 0 && seen >= 0
                && Math.abs(seen - hostStartMillis) > START_TOLERANCE_MILLIS) {
            goneReason = "pid " + hostPid + " started at " + Instant.ofEpochMilli(seen) + ", the host at "
                    + Instant.ofEpochMilli(hostStartMillis) + ": the pid was reused";
        }
    }

    /** {@link #start(long, long, Runnable, Duration)} with {@link #DEFAULT_PERIOD}. */
    public static HostWatch start(long hostPid, long hostStartMillis, Runnable onHostGone) {
        return start(hostPid, hostStartMillis, onHostGone, DEFAULT_PERIOD);
    }

    /**
     * Starts watching; if the host is already gone, {@code onHostGone} runs at once on the watch
     * thread.
     *
     * @param hostPid the host's pid ({@link BootData#hostPid()})
     * @param hostStartMillis the host's start instant as the host saw it, -1 if unknown
     * @param onHostGone runs at most once, on the watch thread
     * @param period time between checks, positive
     */
    public static HostWatch start(long hostPid, long hostStartMillis, Runnable onHostGone, Duration period) {
        Objects.requireNonNull(onHostGone, "onHostGone");
        Objects.requireNonNull(period, "period");
        if (hostPid <= 0) {
            throw new IllegalArgumentException("hostPid=" + hostPid + " must be positive");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period=" + period + " must be positive");
        }
        HostWatch watch = new HostWatch(hostPid, hostStartMillis, onHostGone, period);
        watch.thread = Thread.ofPlatform().daemon().name("knitting-host-watch").start(watch::run);
        return watch;
    }

    /** @return whether the host was the parent of this process when the watch started */
    public boolean hostIsParent() {
        return hostIsParent;
    }

    /**
     * Checks now, on the calling thread (a worker may also check on its park timeouts).
     *
     * @return whether the host still runs; once false, always false
     */
    public boolean hostAlive() {
        if (goneReason != null) {
            return false;
        }
        String reason = check();
        if (reason != null) {
            goneReason = reason;
            return false;
        }
        return true;
    }

    /** @return why the host is taken for gone, empty while it runs */
    public Optional<String> goneReason() {
        return Optional.ofNullable(goneReason);
    }

    /** Stops the watch thread; {@code onHostGone} is not called afterwards. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        while (!closed) {
            if (!hostAlive()) {
                if (!closed && fired.compareAndSet(false, true)) {
                    try {
                        onHostGone.run();
                    } catch (RuntimeException | Error e) {
                        System.err.println("knitting: host watch callback failed: " + e);
                    }
                }
                return;
            }
            LockSupport.parkNanos(this, periodNanos);
        }
    }

    private String check() {
        if (hostIsParent) {
            long parent = NativeProcess.parentPid();
            if (parent != hostPid) {
                return "the parent pid changed from host " + hostPid + " to " + parent + ": the host exited";
            }
            // Definitive and cheap (one system call): the kernel re-parents a child as its parent
            // exits, before the parent is even a zombie, so no /proc reads are needed.
            return null;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(hostPid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return "no process has the host's pid " + hostPid;
        }
        if (isZombie(hostPid)) {
            return "the host " + hostPid + " has exited (zombie)";
        }
        if (baselineStart >= 0) {
            long now = startMillisOf(hostPid);
            if (now >= 0 && now != baselineStart) {
                return "pid " + hostPid + " now started at " + Instant.ofEpochMilli(now) + ", the host at "
                        + Instant.ofEpochMilli(baselineStart) + ": the host exited and its pid was reused";
            }
        }
        return null;
    }

    /** @return the start instant this JVM sees for {@code pid}, -1 if unknown */
    static long startMillisOf(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(-1L);
    }

    /** @return the start instant of this process as {@link BootData#hostStartMillis()} wants it */
    public static long currentStartMillis() {
        return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    private static boolean isZombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = new String(Files.readAllBytes(stat), StandardCharsets.ISO_8859_1);
            int close = text.lastIndexOf(')');
            if (close < 0 || close + 2 >= text.length()) {
                return false;
            }
            char state = text.charAt(close + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | SecurityException e) {
            return false; // no /proc (not Linux) or not readable: rely on the other checks
        }
    }

    @Override
    public String toString() {
        return "HostWatch[host=" + hostPid + ", parent=" + hostIsParent + ", every "
                + TimeUnit.NANOSECONDS.toMillis(periodNanos) + " ms" + (goneReason != null ? ", gone" : "") + "]";
    }
}
