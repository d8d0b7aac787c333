package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.knitting.KnittingException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Bindings to glibc/musl {@code libc} on Linux (x86-64 and aarch64): the one class that links
 * libc functions. Raw wrappers keep the C names so the man pages map one to one.
 *
 * <p>Every raw call goes through libc's variadic {@code syscall} with the numbers of
 * {@link LinuxSyscalls}, through <em>one</em> downcall handle of one shape: {@code long
 * syscall(long number, long a1, ..., long a6)} with errno captured, pointers passed as their
 * addresses and unused arguments 0. Linking a downcall handle costs a cold JVM tens of
 * milliseconds per distinct shape (the JDK caches stubs by shape), and a worker's boot needs
 * a dozen calls, so one shape is what keeps a worker's start short. Only {@code shm_open} and
 * {@code shm_unlink}, which are libc functions rather than syscalls, have handles of their own,
 * linked on their first use (a NAMED lane only); {@code shm_open} lived in {@code librt} before
 * glibc 2.34, which is searched when libc lacks it.
 *
 * <p>Every wrapper except the futex pair is control path: it captures errno into a confined arena
 * of its own and throws {@link NativeCallException} naming the call and its arguments. The futex
 * pair is hot path: the caller passes its own per-thread capture and timespec segments and gets
 * the raw result, so nothing is allocated and nothing is thrown. A segment passed by address must
 * stay alive for the call: every caller owns the segments it passes for at least that long.
 *
 * <p>The handle is linked on first use; linking is a restricted operation, so only call in here
 * when native access is enabled ({@link Platforms#nativeAccessEnabled()}). On an arch without a
 * syscall table every call says so.
 */
@SuppressWarnings("restricted")
final class LinuxLibc {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_CLOEXEC = 02000000;
    static final int MFD_CLOEXEC = 1;
    static final int MFD_ALLOW_SEALING = 2;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    /** Faults every page in at {@code mmap} (one system call instead of a fault per page). */
    static final int MAP_POPULATE = 0x8000;
    static final int SEEK_END = 2;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int FD_CLOEXEC = 1;
    static final int F_ADD_SEALS = 1033;
    static final int F_GET_SEALS = 1034;
    static final int F_SEAL_SEAL = 1;
    static final int F_SEAL_SHRINK = 2;
    static final int F_SEAL_GROW = 4;
    static final int FUTEX_WAIT = 0;
    static final int FUTEX_WAKE = 1;
    /** {@code AT_FDCWD}: {@code openat} relative to the working directory, as {@code open} does. */
    private static final long AT_FDCWD = -100;
    /** The kernel's {@code sigset_t} size, for {@code ppoll}. */
    private static final long KERNEL_SIGSET_LENGTH = 8;

    /** The syscall numbers of this arch. */
    static final LinuxSyscalls SYS = LinuxSyscalls.CURRENT;

    /** {@code SYS_futex}: 202 on x86-64, 98 on aarch64 (asm-generic); -1 elsewhere. */
    static final long SYS_FUTEX = SYS.futex();

    /** The layout {@code captureCallState("errno")} writes; {@link #ERRNO_OFFSET} inside it. */
    static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    static final long ERRNO_OFFSET =
            CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private LinuxLibc() {
    }

    /** @return whether the futex syscall is bound: libc has {@code syscall} and the arch is known */
    static boolean futexAvailable() {
        return SYS_FUTEX > 0 && Syscall.HANDLE != null;
    }

    // ---- the one raw entry ----

    /**
     * {@code syscall(number, a1, ..., a6)}: the raw result, -1 with errno in {@code capture} on
     * failure (libc turns the kernel's {@code -errno} into that). Hot path: no allocation.
     */
    static long syscall(MemorySegment capture, long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) Syscall.HANDLE.invokeExact(capture, number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw Errno.rethrow("syscall(" + number + ")", t);
        }
    }

    /**
     * Control path: {@code syscall(number, a1, ..., a6)} with errno captured in a scratch arena.
     *
     * @return the raw result, or {@code -errno} on failure (never a bare -1)
     */
    static long syscallOrErrno(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long result = syscall(required(state, number), number, a1, a2, a3, a4, a5, a6);
            return result == -1 ? -errno(state) : result;
        }
    }

    /**
     * The one shape: {@code long f(long, ...)}, seven full-register arguments, errno captured. The
     * JDK caches downcall stubs by shape, so every handle of this shape shares one stub.
     */
    private static final FunctionDescriptor SHAPE = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** Links {@code syscall} now unless done (see {@link Platforms#linkSyscallsInBackground()}). */
    static void link() {
        try {
            Objects.requireNonNull(Syscall.HANDLE, "syscall");
        } catch (RuntimeException | LinkageError e) {
            // the thread that needs the handle meets the same failure, with its own message
        }
    }

    /** The handle of {@code long syscall(long, long...)} in the one shape every call here uses. */
    private static final class Syscall {
        private static final MethodHandle HANDLE = downcall("syscall", SHAPE, ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /**
     * Links a libc function whose parameters are all integers or pointers (at most seven) and whose
     * result is an integer, in the one shape of {@link #syscall}: nothing new is generated. This is
     * sound on the two supported ABIs (Linux x86-64 and aarch64): integer and pointer arguments
     * travel in the same general registers whether the call is variadic or not, a callee ignores
     * registers past its parameters, an {@code int} or {@code short} parameter reads the low bits
     * of a register the caller filled with the full value, and an {@code int} result is the low 32
     * bits of the returned register (the caller narrows it).
     *
     * @return the handle, or {@code null} when this libc lacks the symbol
     */
    static MethodHandle integerFunction(String symbol) {
        return downcall(symbol, SHAPE, ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /**
     * Calls a handle of {@link #integerFunction}; unused arguments 0.
     *
     * @return the raw result (narrow an {@code int} result with a cast), errno left in {@code capture}
     */
    static long callFunction(MethodHandle function, String symbol, MemorySegment capture, long a1, long a2, long a3,
                             long a4, long a5, long a6, long a7) {
        try {
            return (long) required(function, symbol).invokeExact(capture, a1, a2, a3, a4, a5, a6, a7);
        } catch (KnittingException e) {
            throw e;
        } catch (Throwable t) {
            throw Errno.rethrow(symbol, t);
        }
    }

    // ---- hot path: raw results, errno left in the caller's capture segment ----

    /**
     * {@code syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout)}, shared (non-private) form.
     *
     * @return 0 when woken (or spuriously), -1 with errno in {@code capture} otherwise
     */
    static long futexWait(MemorySegment capture, MemorySegment word, int expected, MemorySegment timespec) {
        return syscall(capture, SYS_FUTEX, word.address(), FUTEX_WAIT, expected, timespec.address(), 0, 0);
    }

    /**
     * {@code syscall(SYS_futex, word, FUTEX_WAKE, count)}, shared (non-private) form.
     *
     * @return how many sleepers were woken, -1 with errno in {@code capture} on failure
     */
    static long futexWake(MemorySegment capture, MemorySegment word, int count) {
        return syscall(capture, SYS_FUTEX, word.address(), FUTEX_WAKE, count, 0, 0, 0);
    }

    /** @return the errno a call with {@code captureCallState("errno")} left in {@code capture} */
    static int errno(MemorySegment capture) {
        return capture.get(JAVA_INT, ERRNO_OFFSET);
    }

    // ---- control path: throw NativeCallException on failure ----

    static int memfd_create(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            long fd = syscallOrErrno(SYS.memfdCreate(), arena.allocateFrom(name).address(), flags, 0, 0, 0, 0);
            return (int) check(fd, () -> "memfd_create(name=\"" + name + "\", flags=" + flags + ")");
        }
    }

    static int shm_open(String name, int oflag, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int fd;
            try {
                fd = (int) required(ShmHandles.SHM_OPEN, "shm_open").invokeExact(state, arena.allocateFrom(name), oflag,
                        mode);
            } catch (Throwable t) {
                throw Errno.rethrow("shm_open", t);
            }
            return (int) check(fd < 0 ? -errno(state) : fd, () -> "shm_open(name=\"" + name + "\", oflag=0"
                    + Integer.toOctalString(oflag) + ", mode=0" + Integer.toOctalString(mode) + ")");
        }
    }

    /** @return false when the name did not exist ({@code ENOENT}); other failures throw */
    static boolean shm_unlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(ShmHandles.SHM_UNLINK, "shm_unlink").invokeExact(state, arena.allocateFrom(name));
            } catch (Throwable t) {
                throw Errno.rethrow("shm_unlink", t);
            }
            if (result != 0 && errno(state) == Errno.ENOENT) {
                return false;
            }
            check(result != 0 ? -errno(state) : 0, () -> "shm_unlink(name=\"" + name + "\")");
            return true;
        }
    }

    static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            long fd = syscallOrErrno(SYS.openat(), AT_FDCWD, arena.allocateFrom(path).address(), flags, mode, 0, 0);
            return (int) check(fd, () -> "open(path=\"" + path + "\", flags=0" + Integer.toOctalString(flags)
                    + ", mode=0" + Integer.toOctalString(mode) + ")");
        }
    }

    static void close(int fd) {
        check(syscallOrErrno(SYS.close(), fd, 0, 0, 0, 0, 0), () -> "close(fd=" + fd + ")");
    }

    static void ftruncate(int fd, long length) {
        check(syscallOrErrno(SYS.ftruncate(), fd, length, 0, 0, 0, 0),
                () -> "ftruncate(fd=" + fd + ", length=" + length + ")");
    }

    static void fallocate(int fd, int mode, long offset, long length) {
        check(syscallOrErrno(SYS.fallocate(), fd, mode, offset, length, 0, 0), () -> "fallocate(fd=" + fd + ", mode="
                + mode + ", offset=" + offset + ", length=" + length + ")");
    }

    static long lseek(int fd, long offset, int whence) {
        return check(syscallOrErrno(SYS.lseek(), fd, offset, whence, 0, 0, 0),
                () -> "lseek(fd=" + fd + ", offset=" + offset + ", whence=" + whence + ")");
    }

    /** @return the bytes read, fewer than {@code buffer}'s size only at the end of the file */
    static long pread(int fd, MemorySegment buffer, long offset) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("pread needs a native buffer: " + buffer);
        }
        return check(syscallOrErrno(SYS.pread64(), fd, buffer.address(), buffer.byteSize(), offset, 0, 0),
                () -> "pread(fd=" + fd + ", count=" + buffer.byteSize() + ", offset=" + offset + ")");
    }

    static int fcntl(int fd, int cmd, int arg) {
        return (int) check(syscallOrErrno(SYS.fcntl(), fd, cmd, arg, 0, 0, 0),
                () -> "fcntl(fd=" + fd + ", cmd=" + cmd + ", arg=" + arg + ")");
    }

    /** @return the mapping's address as a zero-length segment */
    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        long address = check(syscallOrErrno(SYS.mmap(), 0, length, prot, flags, fd, offset),
                () -> "mmap(length=" + length + ", prot=" + prot + ", flags=" + flags + ", fd=" + fd + ", offset="
                        + offset + ")");
        return MemorySegment.ofAddress(address);
    }

    static void munmap(MemorySegment address, long length) {
        check(syscallOrErrno(SYS.munmap(), address.address(), length, 0, 0, 0, 0),
                () -> "munmap(address=0x" + Long.toHexString(address.address()) + ", length=" + length + ")");
    }

    static int getpid() {
        return (int) check(syscallOrErrno(SYS.getpid(), 0, 0, 0, 0, 0, 0), () -> "getpid()");
    }

    /** @return the parent's pid; 1 (or a subreaper's pid) once the parent has died */
    static int getppid() {
        return (int) check(syscallOrErrno(SYS.getppid(), 0, 0, 0, 0, 0, 0), () -> "getppid()");
    }

    /** {@code shm_open} and {@code shm_unlink}: libc functions, not syscalls, linked on first use. */
    private static final class ShmHandles {
        // int shm_open(const char *name, int oflag, mode_t mode): not variadic, unlike open(2)
        private static final MethodHandle SHM_OPEN = downcall("shm_open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO);
        private static final MethodHandle SHM_UNLINK = downcall("shm_unlink",
                FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO);
    }

    // ---- helpers ----

    /** @return {@code result}, which is not negative; a negative result is {@code -errno} and throws */
    private static long check(long result, Supplier<String> call) {
        if (result < 0) {
            throw Errno.failure(call.get(), (int) -result);
        }
        return result;
    }

    private static MethodHandle required(MethodHandle handle, String symbol) {
        if (handle == null) {
            throw new KnittingException("this libc has no " + symbol + " (Linux with glibc 2.27+ or musl is needed)");
        }
        return handle;
    }

    /** @return {@code state}, once the arch has a number for this call and libc a {@code syscall} */
    private static MemorySegment required(MemorySegment state, long number) {
        if (number < 0) {
            throw new KnittingException("no syscall table for os.arch=" + System.getProperty("os.arch")
                    + " (x86-64 and aarch64 are supported)");
        }
        required(Syscall.HANDLE, "syscall");
        return state;
    }

    private static MethodHandle downcall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        return find(symbol).map(address -> LINKER.downcallHandle(address, descriptor, options)).orElse(null);
    }

    private static Optional<MemorySegment> find(String symbol) {
        Optional<MemorySegment> found = LINKER.defaultLookup().find(symbol);
        return found.isPresent() ? found : Librt.LOOKUP.flatMap(librt -> librt.find(symbol));
    }

    /** {@code librt}, loaded only when libc lacks a symbol (shm_open before glibc 2.34). */
    private static final class Librt {
        static final Optional<SymbolLookup> LOOKUP = load();

        private static Optional<SymbolLookup> load() {
            try {
                return Optional.of(SymbolLookup.libraryLookup("librt.so.1", Arena.global()));
            } catch (IllegalArgumentException absent) {
                return Optional.empty();
            }
        }
    }

    // ---- checking a descriptor a peer named before mapping it: fstat, and open flags for that ----

    static final int O_NOCTTY = 0400;
    static final int O_NONBLOCK = 04000;
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;

    /**
     * {@code fstat(fd)} as the raw syscall (glibc before 2.33 exports no {@code fstat} symbol), read
     * into a buffer large enough for the kernel's {@code struct stat} on every supported arch.
     */
    static FileStatus fstat(int fd) {
        if (STAT_MODE_OFFSET < 0 || SYS.fstat() < 0) {
            throw new KnittingException("fstat is not bound on this arch: os.arch=" + System.getProperty("os.arch"));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_LENGTH, 8);
            check(syscallOrErrno(SYS.fstat(), fd, stat.address(), 0, 0, 0, 0), () -> "fstat(fd=" + fd + ")");
            return new FileStatus(stat.get(JAVA_INT, STAT_MODE_OFFSET), stat.get(JAVA_LONG, STAT_SIZE_OFFSET));
        }
    }

    /** The offset of {@code st_mode} in the kernel's {@code struct stat} (see {@link LinuxSyscalls}). */
    private static final long STAT_MODE_OFFSET = LinuxSyscalls.statModeOffset(System.getProperty("os.arch", ""));
    private static final long STAT_SIZE_OFFSET = 48;
    /** 144 bytes on x86-64, 128 on aarch64: room for either. */
    private static final long STAT_LENGTH = 256;

    // ---- a worker's watch over its host (Pidfd, NativeProcess.exitNow): its own lazy holder, its own block ----

    /** {@code SYS_pidfd_open}: 434 on x86-64 and aarch64 alike (Linux 5.3+); -1 on other archs. */
    static final long SYS_PIDFD_OPEN = SYS.pidfdOpen();
    /** {@code poll} event: the pidfd is readable, i.e. its process has exited. */
    static final short POLLIN = 0x1;
    /** {@code poll} revent: the fd is not open. */
    static final short POLLNVAL = 0x20;
    /**
     * {@code struct pollfd}, 8 bytes:
     * <pre>
     *  0               16              32
     * +-------------------------------+
     * | fd (int)                      |  0
     * +---------------+---------------+
     * | events (short)| revents(short)|  4
     * +---------------+---------------+
     * </pre>
     */
    static final long POLLFD_LENGTH = 8;
    static final long POLLFD_FD_OFFSET = 0;
    static final long POLLFD_EVENTS_OFFSET = 4;
    static final long POLLFD_REVENTS_OFFSET = 6;
    /** {@code struct timespec} on 64-bit Linux: {@code long tv_sec; long tv_nsec;}. */
    static final long TIMESPEC_LENGTH = 16;

    /** {@code syscall(SYS_pidfd_open, pid, 0)}: control path, throws {@link NativeCallException}. */
    static int pidfd_open(long pid) {
        return (int) check(syscallOrErrno(SYS_PIDFD_OPEN, pid, 0, 0, 0, 0, 0), () -> "pidfd_open(pid=" + pid
                + ", flags=0)");
    }

    /** {@code eventfd} flags: close on exec, non-blocking. */
    static final int EFD_CLOEXEC = 02000000;
    static final int EFD_NONBLOCK = 04000;

    /** {@code eventfd(initval, flags)}: control path, throws {@link NativeCallException}. */
    static int eventfd(int initval, int flags) {
        return (int) check(syscallOrErrno(SYS.eventfd2(), initval, flags, 0, 0, 0, 0), () -> "eventfd(initval="
                + initval + ", flags=0" + Integer.toOctalString(flags) + ")");
    }

    /** Adds 1 to an eventfd's counter, which makes it readable: {@code write(fd, &one, 8)}. */
    static void eventfdSignal(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1);
            check(syscallOrErrno(SYS.write(), fd, one.address(), 8, 0, 0, 0), () -> "write(eventfd=" + fd + ", 8)");
        }
    }

    /**
     * {@code poll(fds, nfds, timeout)} as the raw {@code ppoll} (aarch64 has no {@code poll}): the
     * waiting thread passes its own capture and {@link #TIMESPEC_LENGTH}-byte timespec segments.
     *
     * @return how many entries have events, 0 on timeout, -1 with errno in {@code capture}
     */
    static int poll(MemorySegment capture, MemorySegment fds, long nfds, MemorySegment timespec, int timeoutMillis) {
        if (SYS.ppoll() < 0) {
            throw new KnittingException("no ppoll syscall number for os.arch=" + System.getProperty("os.arch"));
        }
        long timeout = 0;
        if (timeoutMillis >= 0) {
            timespec.set(JAVA_LONG, 0, timeoutMillis / 1000);
            timespec.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1_000_000L);
            timeout = timespec.address();
        }
        return (int) syscall(capture, SYS.ppoll(), fds.address(), nfds, timeout, 0, KERNEL_SIGSET_LENGTH, 0);
    }

    /**
     * {@code _exit(status)} as the raw {@code exit_group}: ends the process at once, without the
     * JVM's shutdown (which waits up to ~300 ms for threads blocked in native calls, such as a
     * worker parked in futex).
     */
    static void _exit(int status) {
        syscallOrErrno(SYS.exitGroup(), status, 0, 0, 0, 0, 0);
        throw new KnittingException("exit_group(" + status + ") returned");
    }
}
