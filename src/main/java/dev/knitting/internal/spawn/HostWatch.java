package dev.knitting.internal.spawn;

import dev.knitting.internal.os.NativeCallException;
import dev.knitting.internal.os.NativeProcess;
import dev.knitting.internal.os.Pidfd;
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
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker process's watch over its host: a daemon thread that calls {@code onHostGone} once, with
 * the reason, when the host has exited (the worker then halts).
 *
 * <h2>How it watches</h2>
 * On Linux 5.3+ the thread takes a {@link Pidfd} of the host and blocks in {@code poll} on it; the
 * kernel makes it readable as the host exits, so the worker hears of a {@code kill -9} of its host
 * at once, and a sleeping worker costs nothing. A pidfd names one process, but the pid may have
 * been reused <em>before</em> {@code pidfd_open}: right after opening it, the thread checks that
 * the pid still belongs to the host (below); if it does, the pidfd is the host's for good.
 *
 * <p>Where there is no pidfd ({@code ENOSYS} before Linux 5.3, a seccomp filter refusing it, not
 * Linux, no native access, or the fd closed behind the watch's back), it falls back to checking
 * every {@code period} (default {@value #DEFAULT_PERIOD_MILLIS} ms) and says why once through
 * {@code notes} (the worker prints that in debug mode). {@link #mode()} tells which is in use.
 *
 * <h2>When the host is gone</h2>
 * <ul>
 * <li>its pidfd became readable: it exited;
 * <li>it was this process's parent at start and the parent pid changed: the kernel reparents
 *     orphans at the parent's exit, before anyone reaps it (one {@code getppid}, no {@code /proc});
 * <li>no process has its pid, or that process is a zombie ({@code /proc/<pid>/stat} state Z or X);
 * <li>the process with its pid started at another instant than the host: the pid was reused.
 * </ul>
 * The last three are the identity check after {@code pidfd_open} and the fallback's periodic check.
 * Start instants: each JVM derives them from the kernel's boot time, which it reads once; two JVMs
 * agree unless the wall clock was stepped between their starts. So the host's own
 * {@code hostStartMillis} is compared with {@value #START_TOLERANCE_MILLIS} ms of tolerance, and
 * only when the host is not this process's parent (a parent is known to be alive); later checks
 * compare exactly with what this JVM saw at start.
 */
public final class HostWatch implements AutoCloseable {
    /** Default time between checks when there is no pidfd, in milliseconds. */
    public static final long DEFAULT_PERIOD_MILLIS = 250;
    /** Default time between checks when there is no pidfd. */
    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(DEFAULT_PERIOD_MILLIS);
    /** Largest difference between two JVMs' view of the host's start instant taken as the same host. */
    public static final long START_TOLERANCE_MILLIS = 5_000;
    /**
     * Longest single {@code poll} on the pidfd. The host's exit ends a poll at once; this only
     * bounds how long the thread outlives {@link #close()}, at one wake-up per period when idle.
     */
    static final int PIDFD_POLL_MILLIS = 10_000;

    /** How the thread watches. */
    public enum Mode {
        /** The thread has not decided yet. */
        STARTING,
        /** Blocked in {@code poll} on the host's pidfd. */
        PIDFD,
        /** Checking every period: no pidfd here. */
        POLLING
    }

    private final long hostPid;
    private final boolean hostIsParent;
    private final long baselineStart;
    private final Consumer<String> onHostGone;
    private final Consumer<String> notes;
    private final long periodNanos;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile boolean closed;
    private volatile String goneReason;
    private volatile Mode mode = Mode.STARTING;
    private volatile Thread thread;
    /** The pidfd the thread waits on, while it does: {@link #close()} wakes it. */
    private volatile Pidfd waitingOn;

    private HostWatch(long hostPid, long hostStartMillis, Consumer<String> onHostGone, Duration period,
                      Consumer<String> notes) {
        this.hostPid = hostPid;
        this.onHostGone = onHostGone;
        this.notes = notes;
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

    /** {@link #start(long, long, Consumer, Duration, Consumer)} with {@link #DEFAULT_PERIOD}, no notes. */
    public static HostWatch start(long hostPid, long hostStartMillis, Consumer<String> onHostGone) {
        return start(hostPid, hostStartMillis, onHostGone, DEFAULT_PERIOD, note -> { });
    }

    /** {@link #start(long, long, Consumer, Duration, Consumer)} with no notes. */
    public static HostWatch start(long hostPid, long hostStartMillis, Consumer<String> onHostGone, Duration period) {
        return start(hostPid, hostStartMillis, onHostGone, period, note -> { });
    }

    /**
     * Starts watching; if the host is already gone, {@code onHostGone} runs at once on the watch
     * thread.
     *
     * @param hostPid the host's pid ({@link BootData#hostPid()})
     * @param hostStartMillis the host's start instant as the host saw it, -1 if unknown
     * @param onHostGone runs at most once, on the watch thread, with the reason
     * @param period time between checks when there is no pidfd, positive
     * @param notes receives one line, on the watch thread, when the watch falls back to checking
     *     every period, saying why
     */
    public static HostWatch start(long hostPid, long hostStartMillis, Consumer<String> onHostGone, Duration period,
                                  Consumer<String> notes) {
        Objects.requireNonNull(onHostGone, "onHostGone");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(notes, "notes");
        if (hostPid <= 0) {
            throw new IllegalArgumentException("hostPid=" + hostPid + " must be positive");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period=" + period + " must be positive");
        }
        HostWatch watch = new HostWatch(hostPid, hostStartMillis, onHostGone, period, notes);
        watch.thread = Thread.ofPlatform().daemon().name("knitting-host-watch").start(watch::run);
        return watch;
    }

    /** @return how the thread watches; {@link Mode#STARTING} until it has tried to open the pidfd */
    public Mode mode() {
        return mode;
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
            gone(reason);
            return false;
        }
        return true;
    }

    /** @return why the host is taken for gone, empty while it runs */
    public Optional<String> goneReason() {
        return Optional.ofNullable(goneReason);
    }

    /**
     * Stops the watch; {@code onHostGone} is not called afterwards. The thread ends within a check
     * period, or at once when it waits on a pidfd (woken through the pidfd's eventfd). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        Pidfd p = waitingOn;
        if (p != null) {
            p.wake(); // out of its native poll now: the JVM's exit waits ~300 ms for a thread in one
        }
    }

    /**
     * {@link #close()}, then waits up to {@code timeout} for the thread to end, so that an exit right
     * afterwards finds no thread of the watch inside a native call.
     *
     * @return whether the thread has ended
     */
    public boolean closeAndAwait(Duration timeout) {
        close();
        Thread t = thread;
        if (t == null) {
            return true;
        }
        try {
            return t.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !t.isAlive();
        }
    }

    private void run() {
        String reason = watch();
        if (reason != null && !closed && fired.compareAndSet(false, true)) {
            try {
                onHostGone.accept(reason);
            } catch (RuntimeException | Error e) {
                System.err.println("knitting: host watch callback failed: " + e);
            }
        }
    }

    /** @return why the host is gone, or null once closed */
    private String watch() {
        Pidfd pidfd = openPidfd();
        if (pidfd != null) {
            waitingOn = pidfd;
            if (closed) {
                pidfd.wake(); // close() may have run before waitingOn was set
            }
            try {
                String reason = watchPidfd(pidfd);
                if (reason != null || closed) {
                    return reason;
                }
            } finally {
                waitingOn = null;
                pidfd.close();
            }
        }
        mode = Mode.POLLING;
        while (!closed) {
            if (!hostAlive()) {
                return goneReason;
            }
            LockSupport.parkNanos(this, periodNanos);
        }
        return null;
    }

    /** @return the host's pidfd, or null (after a note, or with the host gone) when there is none */
    private Pidfd openPidfd() {
        Optional<String> unavailable = Pidfd.unavailable();
        if (unavailable.isPresent()) {
            fallBack(unavailable.get());
            return null;
        }
        try {
            return Pidfd.open(hostPid);
        } catch (NativeCallException e) {
            if (e.errno() == Pidfd.ESRCH) {
                gone("no process has the host's pid " + hostPid + " (" + e.getMessage() + ")");
            } else {
                fallBack(e.getMessage());
            }
        } catch (RuntimeException | LinkageError e) {
            fallBack("pidfd_open could not be called: " + e);
        }
        return null;
    }

    /** @return why the host is gone, or null when closed or when the pidfd stopped working */
    private String watchPidfd(Pidfd pidfd) {
        // The pid may have been reused before pidfd_open: only the host's pidfd may be trusted.
        if (!hostAlive()) {
            return goneReason;
        }
        mode = Mode.PIDFD;
        while (!closed) {
            switch (pidfd.awaitExit(PIDFD_POLL_MILLIS)) {
                case EXITED -> {
                    return gone("the host " + hostPid + " exited (its pidfd became readable)");
                }
                case NOT_YET, WOKEN -> { }
                case BROKEN -> {
                    fallBack("the host's pidfd (fd " + pidfd.fd() + ") stopped working; was it closed by a task?");
                    return null;
                }
            }
        }
        return null;
    }

    private void fallBack(String why) {
        try {
            notes.accept("host watch checks host " + hostPid + " every " + TimeUnit.NANOSECONDS.toMillis(periodNanos)
                    + " ms instead of through a pidfd: " + why);
        } catch (RuntimeException e) {
            System.err.println("knitting: host watch notes failed: " + e);
        }
    }

    /** Records the first reason; @return the reason in force */
    private String gone(String reason) {
        if (goneReason == null) {
            goneReason = reason;
        }
        return goneReason;
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
        return CurrentStart.MILLIS;
    }

    /**
     * Reads {@link #currentStartMillis()} on a daemon thread, once per JVM: {@code ProcessHandle}
     * sets up the JDK's process machinery and reads {@code /proc}, several milliseconds of a cold
     * host that its first worker's start would otherwise wait for. A thread that asks meanwhile
     * waits for the same reading (class initialization).
     */
    public static void readCurrentStartInBackground() {
        if (START_READING.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("knitting-host-start").start(new Runnable() {
                @Override
                public void run() {
                    currentStartMillis();
                }
            });
        }
    }

    private static final AtomicBoolean START_READING = new AtomicBoolean();

    /** This process's start instant: read once, it never changes. */
    private static final class CurrentStart {
        static final long MILLIS = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
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
        return "HostWatch[host=" + hostPid + ", parent=" + hostIsParent + ", " + mode
                + (mode == Mode.POLLING ? " every " + TimeUnit.NANOSECONDS.toMillis(periodNanos) + " ms" : "")
                + (goneReason != null ? ", gone" : "") + "]";
    }
}
