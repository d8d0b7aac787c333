package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@link Waiter} on Linux's futex(2), through libc's variadic {@code syscall}. It uses the shared
 * form (no {@code FUTEX_PRIVATE_FLAG}): the kernel keys a shared mapping by its backing page, so
 * a wake from any process mapping the same memory reaches sleepers here, and private memory of
 * this process works as well. Both sides must use the same form; the lane code uses only this.
 *
 * <p>Hot path: no allocation and no throw for the normal outcomes. Each thread reuses its own
 * timespec and errno segments ({@link Scratch}); {@code EAGAIN} (value differed), {@code EINTR}
 * (signal) and {@code ETIMEDOUT} are returns; any other errno is a bug and throws, naming the call.
 */
final class LinuxFutex implements Waiter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** Per-thread native scratch: a relative {@code struct timespec} and an errno capture. */
    private static final class Scratch {
        final MemorySegment timespec;
        final MemorySegment capture;

        Scratch() {
            Arena arena = Arena.ofAuto(); // freed with the Scratch, i.e. with its thread
            timespec = arena.allocate(16, 8); // { long tv_sec; long tv_nsec; } on 64-bit Linux
            capture = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    LinuxFutex() {
        if (!LinuxLibc.futexAvailable()) {
            throw new UnsupportedOperationException("no futex syscall binding for os.arch="
                    + System.getProperty("os.arch"));
        }
    }

    @Override
    public void await(MemorySegment word, int expected, long timeoutNanos) {
        awaitStatus(word, expected, timeoutNanos);
    }

    @Override
    public void wake(MemorySegment word, int count) {
        wakeCount(word, count);
    }

    @Override
    public boolean crossProcess() {
        return true;
    }

    /**
     * {@link #await} with the outcome, for tests and diagnostics.
     *
     * @return 0 when woken (or spuriously), else {@code EAGAIN}, {@code EINTR} or {@code ETIMEDOUT}
     */
    int awaitStatus(MemorySegment word, int expected, long timeoutNanos) {
        checkWord(word);
        if (timeoutNanos <= 0) {
            return Errno.ETIMEDOUT;
        }
        Scratch scratch = SCRATCH.get();
        scratch.timespec.set(JAVA_LONG, 0, timeoutNanos / NANOS_PER_SECOND);
        scratch.timespec.set(JAVA_LONG, 8, timeoutNanos % NANOS_PER_SECOND);
        if (LinuxLibc.futexWait(scratch.capture, word, expected, scratch.timespec) == 0) {
            return 0;
        }
        int errno = LinuxLibc.errno(scratch.capture);
        if (errno == Errno.EAGAIN || errno == Errno.EINTR || errno == Errno.ETIMEDOUT) {
            return errno;
        }
        throw Errno.failure("futex(FUTEX_WAIT, address=0x" + Long.toHexString(word.address()) + ", expected="
                + expected + ", timeoutNanos=" + timeoutNanos + ")", errno);
    }

    /** {@link #wake} with the kernel's answer: how many sleepers it woke. */
    int wakeCount(MemorySegment word, int count) {
        checkWord(word);
        Scratch scratch = SCRATCH.get();
        long woken = LinuxLibc.futexWake(scratch.capture, word, count);
        if (woken < 0) {
            throw Errno.failure("futex(FUTEX_WAKE, address=0x" + Long.toHexString(word.address()) + ", count="
                    + count + ")", LinuxLibc.errno(scratch.capture));
        }
        return (int) woken;
    }

    /** The kernel reads 4 bytes at the address: a smaller segment must never reach it. */
    private static void checkWord(MemorySegment word) {
        if (word.byteSize() < Integer.BYTES) {
            throw new IllegalArgumentException("futex word must span 4 bytes: byteSize=" + word.byteSize());
        }
    }
}
