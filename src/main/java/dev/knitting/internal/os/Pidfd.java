package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A Linux pidfd ({@code pidfd_open(2)}, Linux 5.3+): a handle on one process, not on its pid. It
 * becomes readable ({@code POLLIN}) the moment that process exits, zombie or not, and it never
 * starts to mean another process when the pid is reused. A worker blocks in {@link #awaitExit} on
 * its host's pidfd instead of polling the host's pid.
 *
 * <p>The pid can be reused <em>before</em> {@link #open}: the caller checks right after opening
 * that the pid still belongs to the process it meant (parent pid or start time), since a pidfd
 * taken while that holds refers to that process for good.
 *
 * <p>One thread owns an instance: the one that opened it waits on it and closes it (the
 * {@code pollfd} and errno segments live in that thread's confined arena). Any thread may
 * {@link #wake} it: a wait also watches an {@code eventfd} of its own, so the owner leaves its
 * native wait at once. That matters at exit: the JVM's exit waits about 300 ms for any thread
 * still inside a native call.
 */
public final class Pidfd implements AutoCloseable {
    /** {@code ESRCH}: {@link #open} found no process with that pid. */
    public static final int ESRCH = 3;

    private final long pid;
    private final int fd;
    /** An eventfd that {@link #wake} makes readable; -1 when this kernel refused one. */
    private final int wakeFd;
    private final Arena arena;
    private final MemorySegment pollfd;
    private final MemorySegment capture;
    private final MemorySegment timespec;
    private boolean closed;
    /** The fd was closed behind our back ({@code POLLNVAL}): its number may be someone else's now. */
    private boolean lost;

    private Pidfd(long pid, int fd, int wakeFd) {
        this.pid = pid;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.arena = Arena.ofConfined();
        this.pollfd = arena.allocate(2 * LinuxLibc.POLLFD_LENGTH, 8);
        this.capture = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
        this.timespec = arena.allocate(LinuxLibc.TIMESPEC_LENGTH, 8);
    }

    /**
     * @return why pidfds cannot be used in this JVM at all (not Linux, an arch without the syscall
     *     number, native access denied), empty when {@link #open} may be tried
     */
    public static Optional<String> unavailable() {
        if (!Platforms.isLinux()) {
            return Optional.of("pidfd_open is Linux only, this is os.name=" + System.getProperty("os.name"));
        }
        if (LinuxLibc.SYS_PIDFD_OPEN < 0) {
            return Optional.of("no pidfd_open syscall number for os.arch=" + System.getProperty("os.arch"));
        }
        return Platforms.nativeAccessProblem();
    }

    /**
     * Opens a pidfd of {@code pid}; call only when {@link #unavailable()} is empty.
     *
     * @throws NativeCallException with {@link #ESRCH} when no process has that pid, {@code ENOSYS}
     *     before Linux 5.3, {@code EPERM} or {@code ENOSYS} when a seccomp filter refuses it
     * @throws IllegalArgumentException when {@code pid} is not in [1, 2^31-1]
     */
    public static Pidfd open(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid=" + pid + " must be in [1, " + Integer.MAX_VALUE + "]");
        }
        int fd = LinuxLibc.pidfd_open(pid);
        int wakeFd;
        try {
            wakeFd = LinuxLibc.eventfd(0, LinuxLibc.EFD_CLOEXEC | LinuxLibc.EFD_NONBLOCK);
        } catch (NativeCallException refused) {
            wakeFd = -1; // a wait then ends only by its timeout after wake
        }
        return new Pidfd(pid, fd, wakeFd);
    }

    /** The outcome of one {@link #awaitExit} wait. */
    public enum Wait {
        /** The process has exited. */
        EXITED,
        /** The timeout passed, or a signal interrupted the wait: wait again. */
        NOT_YET,
        /** {@link #wake} was called: the owner is asked to stop waiting. */
        WOKEN,
        /**
         * The pidfd cannot tell any more (say, code in this process closed its fd: {@code POLLNVAL}):
         * the caller must watch the process another way.
         */
        BROKEN
    }

    /**
     * Blocks until the process exits or {@code timeoutMillis} pass.
     *
     * @param timeoutMillis in [0, 2^31-1]
     * @return what happened; never blocks past the timeout
     */
    public Wait awaitExit(int timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeoutMillis=" + timeoutMillis + " must not be negative");
        }
        if (closed) {
            throw new IllegalStateException("pidfd of pid=" + pid + " is closed");
        }
        pollfd.set(JAVA_INT, LinuxLibc.POLLFD_FD_OFFSET, fd);
        pollfd.set(JAVA_SHORT, LinuxLibc.POLLFD_EVENTS_OFFSET, LinuxLibc.POLLIN);
        pollfd.set(JAVA_SHORT, LinuxLibc.POLLFD_REVENTS_OFFSET, (short) 0);
        long second = LinuxLibc.POLLFD_LENGTH;
        pollfd.set(JAVA_INT, second + LinuxLibc.POLLFD_FD_OFFSET, wakeFd); // poll ignores a negative fd
        pollfd.set(JAVA_SHORT, second + LinuxLibc.POLLFD_EVENTS_OFFSET, LinuxLibc.POLLIN);
        pollfd.set(JAVA_SHORT, second + LinuxLibc.POLLFD_REVENTS_OFFSET, (short) 0);
        int ready = LinuxLibc.poll(capture, pollfd, 2, timespec, timeoutMillis);
        if (ready < 0) {
            return LinuxLibc.errno(capture) == Errno.EINTR ? Wait.NOT_YET : Wait.BROKEN;
        }
        if (ready == 0) {
            return Wait.NOT_YET;
        }
        short revents = pollfd.get(JAVA_SHORT, LinuxLibc.POLLFD_REVENTS_OFFSET);
        if ((revents & LinuxLibc.POLLNVAL) != 0) {
            lost = true;
            return Wait.BROKEN;
        }
        if ((revents & LinuxLibc.POLLIN) != 0) {
            return Wait.EXITED;
        }
        short wakeEvents = pollfd.get(JAVA_SHORT, second + LinuxLibc.POLLFD_REVENTS_OFFSET);
        return revents == 0 && (wakeEvents & LinuxLibc.POLLIN) != 0 ? Wait.WOKEN : Wait.BROKEN;
    }

    /**
     * Ends the owner's current or next {@link #awaitExit} with {@link Wait#WOKEN} (every later one
     * too, at once); from any thread. Does nothing once closed.
     */
    public synchronized void wake() {
        if (closed || wakeFd < 0) {
            return;
        }
        try {
            LinuxLibc.eventfdSignal(wakeFd);
        } catch (NativeCallException e) {
            // EAGAIN: the counter is full, the wait is woken anyway
        }
    }

    /** @return the fd number, for messages */
    public int fd() {
        return fd;
    }

    /**
     * Closes the fd, unless a wait found it closed behind our back (its number may belong to another
     * file by now); idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (!lost) {
                LinuxLibc.close(fd);
            }
        } catch (NativeCallException alreadyClosed) {
            // EBADF: closed behind our back between two waits; nothing is leaked
        } finally {
            closeWakeFd();
            arena.close();
        }
    }

    private void closeWakeFd() {
        if (wakeFd >= 0) {
            try {
                LinuxLibc.close(wakeFd);
            } catch (NativeCallException alreadyClosed) {
                // EBADF: closed behind our back (a task closing descriptors); nothing is leaked
            }
        }
    }

    @Override
    public String toString() {
        return "Pidfd[pid=" + pid + ", fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
