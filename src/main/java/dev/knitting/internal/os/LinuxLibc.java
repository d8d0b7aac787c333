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
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Bindings to glibc/musl {@code libc} on Linux (x86-64 and aarch64): the one class that links
 * libc functions. Raw wrappers keep the C names so the man pages map one to one.
 *
 * <p>Every wrapper except the futex pair is control path: it captures errno into a confined arena
 * of its own and throws {@link NativeCallException} naming the call and its arguments. The futex
 * pair is hot path: the caller passes its own per-thread capture and timespec segments and gets
 * the raw result, so nothing is allocated and nothing is thrown.
 *
 * <p>Symbols missing from this libc (say {@code memfd_create} before glibc 2.27) do not break the
 * class: their handle is {@code null} and a call says which symbol is missing. {@code shm_open}
 * lived in {@code librt} before glibc 2.34, which is searched when libc lacks it.
 *
 * <p>Handles are linked in two lazy holders (the futex pair, everything else), each on its first
 * use; linking is a restricted operation, so only call in here when native access is enabled
 * ({@link Platforms#nativeAccessEnabled()}).
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

    /** {@code SYS_futex}: 202 on x86-64, 98 on aarch64 (asm-generic); -1 elsewhere. */
    static final long SYS_FUTEX = LinuxSyscalls.futexNumber(System.getProperty("os.arch", ""));

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
        return SYS_FUTEX > 0 && FutexHandles.SYSCALL_FUTEX_WAIT != null && FutexHandles.SYSCALL_FUTEX_WAKE != null;
    }

    // ---- hot path: raw results, errno left in the caller's capture segment ----

    /**
     * {@code syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout)}, shared (non-private) form.
     *
     * @return 0 when woken (or spuriously), -1 with errno in {@code capture} otherwise
     */
    static long futexWait(MemorySegment capture, MemorySegment word, int expected, MemorySegment timespec) {
        try {
            return (long) FutexHandles.SYSCALL_FUTEX_WAIT.invokeExact(capture, SYS_FUTEX, word, (long) FUTEX_WAIT,
                    (long) expected, timespec);
        } catch (Throwable t) {
            throw Errno.rethrow("futex(FUTEX_WAIT)", t);
        }
    }

    /**
     * {@code syscall(SYS_futex, word, FUTEX_WAKE, count)}, shared (non-private) form.
     *
     * @return how many sleepers were woken, -1 with errno in {@code capture} on failure
     */
    static long futexWake(MemorySegment capture, MemorySegment word, int count) {
        try {
            return (long) FutexHandles.SYSCALL_FUTEX_WAKE.invokeExact(capture, SYS_FUTEX, word, (long) FUTEX_WAKE,
                    (long) count);
        } catch (Throwable t) {
            throw Errno.rethrow("futex(FUTEX_WAKE)", t);
        }
    }

    /** @return the errno a call with {@code captureCallState("errno")} left in {@code capture} */
    static int errno(MemorySegment capture) {
        return capture.get(JAVA_INT, ERRNO_OFFSET);
    }

    // ---- control path: throw NativeCallException on failure ----

    static int memfd_create(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int fd;
            try {
                fd = (int) required(FileHandles.MEMFD_CREATE, "memfd_create").invokeExact(state, arena.allocateFrom(name), flags);
            } catch (Throwable t) {
                throw Errno.rethrow("memfd_create", t);
            }
            return check(fd, state, () -> "memfd_create(name=\"" + name + "\", flags=" + flags + ")");
        }
    }

    static int shm_open(String name, int oflag, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int fd;
            try {
                fd = (int) required(FileHandles.SHM_OPEN, "shm_open").invokeExact(state, arena.allocateFrom(name), oflag, mode);
            } catch (Throwable t) {
                throw Errno.rethrow("shm_open", t);
            }
            return check(fd, state, () -> "shm_open(name=\"" + name + "\", oflag=0" + Integer.toOctalString(oflag)
                    + ", mode=0" + Integer.toOctalString(mode) + ")");
        }
    }

    /** @return false when the name did not exist ({@code ENOENT}); other failures throw */
    static boolean shm_unlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(FileHandles.SHM_UNLINK, "shm_unlink").invokeExact(state, arena.allocateFrom(name));
            } catch (Throwable t) {
                throw Errno.rethrow("shm_unlink", t);
            }
            if (result != 0 && errno(state) == Errno.ENOENT) {
                return false;
            }
            check(result, state, () -> "shm_unlink(name=\"" + name + "\")");
            return true;
        }
    }

    static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int fd;
            try {
                fd = (int) required(FileHandles.OPEN, "open").invokeExact(state, arena.allocateFrom(path), flags, mode);
            } catch (Throwable t) {
                throw Errno.rethrow("open", t);
            }
            return check(fd, state, () -> "open(path=\"" + path + "\", flags=0" + Integer.toOctalString(flags)
                    + ", mode=0" + Integer.toOctalString(mode) + ")");
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(FileHandles.CLOSE, "close").invokeExact(state, fd);
            } catch (Throwable t) {
                throw Errno.rethrow("close", t);
            }
            check(result, state, () -> "close(fd=" + fd + ")");
        }
    }

    static void ftruncate(int fd, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(FileHandles.FTRUNCATE, "ftruncate").invokeExact(state, fd, length);
            } catch (Throwable t) {
                throw Errno.rethrow("ftruncate", t);
            }
            check(result, state, () -> "ftruncate(fd=" + fd + ", length=" + length + ")");
        }
    }

    static void fallocate(int fd, int mode, long offset, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(FileHandles.FALLOCATE, "fallocate").invokeExact(state, fd, mode, offset, length);
            } catch (Throwable t) {
                throw Errno.rethrow("fallocate", t);
            }
            check(result, state, () -> "fallocate(fd=" + fd + ", mode=" + mode + ", offset=" + offset
                    + ", length=" + length + ")");
        }
    }

    static long lseek(int fd, long offset, int whence) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long result;
            try {
                result = (long) required(FileHandles.LSEEK, "lseek").invokeExact(state, fd, offset, whence);
            } catch (Throwable t) {
                throw Errno.rethrow("lseek", t);
            }
            if (result < 0) {
                throw Errno.failure("lseek(fd=" + fd + ", offset=" + offset + ", whence=" + whence + ")",
                        errno(state));
            }
            return result;
        }
    }

    /** @return the bytes read, fewer than {@code buffer}'s size only at the end of the file */
    static long pread(int fd, MemorySegment buffer, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long result;
            try {
                result = (long) required(FileHandles.PREAD, "pread").invokeExact(state, fd, buffer, buffer.byteSize(),
                        offset);
            } catch (Throwable t) {
                throw Errno.rethrow("pread", t);
            }
            if (result < 0) {
                throw Errno.failure("pread(fd=" + fd + ", count=" + buffer.byteSize() + ", offset=" + offset + ")",
                        errno(state));
            }
            return result;
        }
    }

    static int fcntl(int fd, int cmd, int arg) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(FileHandles.FCNTL, "fcntl").invokeExact(state, fd, cmd, arg);
            } catch (Throwable t) {
                throw Errno.rethrow("fcntl", t);
            }
            return check(result, state, () -> "fcntl(fd=" + fd + ", cmd=" + cmd + ", arg=" + arg + ")");
        }
    }

    /** @return the mapping's address as a zero-length segment */
    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment address;
            try {
                address = (MemorySegment) required(FileHandles.MMAP, "mmap").invokeExact(state, MemorySegment.NULL, length,
                        prot, flags, fd, offset);
            } catch (Throwable t) {
                throw Errno.rethrow("mmap", t);
            }
            if (address.address() == -1L) { // MAP_FAILED
                throw Errno.failure("mmap(length=" + length + ", prot=" + prot + ", flags=" + flags + ", fd=" + fd
                        + ", offset=" + offset + ")", errno(state));
            }
            return address;
        }
    }

    static void munmap(MemorySegment address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(FileHandles.MUNMAP, "munmap").invokeExact(state, address, length);
            } catch (Throwable t) {
                throw Errno.rethrow("munmap", t);
            }
            check(result, state, () -> "munmap(address=0x" + Long.toHexString(address.address()) + ", length="
                    + length + ")");
        }
    }

    static int getpid() {
        try {
            return (int) required(FileHandles.GETPID, "getpid").invokeExact();
        } catch (Throwable t) {
            throw Errno.rethrow("getpid", t);
        }
    }

    /** @return the parent's pid; 1 (or a subreaper's pid) once the parent has died */
    static int getppid() {
        try {
            return (int) required(FileHandles.GETPPID, "getppid").invokeExact();
        } catch (Throwable t) {
            throw Errno.rethrow("getppid", t);
        }
    }

    /** The futex(2) shapes of {@code syscall}, linked apart: a thread pool needs only these. */
    private static final class FutexHandles {
        // long syscall(long number, ...): the futex(2) shapes, every variadic argument a full register
        private static final MethodHandle SYSCALL_FUTEX_WAIT = downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS),
                ERRNO, Linker.Option.firstVariadicArg(1));
        private static final MethodHandle SYSCALL_FUTEX_WAKE = downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
                ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /** Everything else, linked on first use of any of it. */
    private static final class FileHandles {
        private static final MethodHandle MEMFD_CREATE = downcall("memfd_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
        // int shm_open(const char *name, int oflag, mode_t mode): not variadic, unlike open(2)
        private static final MethodHandle SHM_OPEN = downcall("shm_open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO);
        private static final MethodHandle SHM_UNLINK = downcall("shm_unlink",
                FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO);
        private static final MethodHandle OPEN = downcall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                ERRNO, Linker.Option.firstVariadicArg(2));
        private static final MethodHandle CLOSE = downcall("close",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
        private static final MethodHandle FTRUNCATE = downcall("ftruncate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
        private static final MethodHandle FALLOCATE = downcall("fallocate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO);
        private static final MethodHandle LSEEK = downcall("lseek",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO);
        private static final MethodHandle PREAD = downcall("pread",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), ERRNO);
        private static final MethodHandle FCNTL = downcall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                ERRNO, Linker.Option.firstVariadicArg(2));
        private static final MethodHandle MMAP = downcall("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
                ERRNO);
        private static final MethodHandle MUNMAP = downcall("munmap",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
        private static final MethodHandle GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT));
        private static final MethodHandle GETPPID = downcall("getppid", FunctionDescriptor.of(JAVA_INT));
    }

    // ---- helpers ----

    private static int check(int result, MemorySegment state, Supplier<String> call) {
        if (result < 0) {
            throw Errno.failure(call.get(), errno(state));
        }
        return result;
    }

    private static MethodHandle required(MethodHandle handle, String symbol) {
        if (handle == null) {
            throw new KnittingException("this libc has no " + symbol + " (Linux with glibc 2.27+ or musl is needed)");
        }
        return handle;
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
        if (StatHandles.MODE_OFFSET < 0 || StatHandles.SYS_FSTAT < 0) {
            throw new KnittingException("fstat is not bound on this arch: os.arch=" + System.getProperty("os.arch"));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment stat = arena.allocate(StatHandles.STAT_LENGTH, 8);
            long result;
            try {
                result = (long) required(StatHandles.SYSCALL_FSTAT, "syscall").invokeExact(state, StatHandles.SYS_FSTAT,
                        (long) fd, stat);
            } catch (Throwable t) {
                throw Errno.rethrow("fstat", t);
            }
            if (result < 0) {
                throw Errno.failure("fstat(fd=" + fd + ")", errno(state));
            }
            return new FileStatus(stat.get(JAVA_INT, StatHandles.MODE_OFFSET), stat.get(JAVA_LONG,
                    StatHandles.SIZE_OFFSET));
        }
    }

    /** {@code syscall(SYS_fstat, ...)} and the kernel's {@code struct stat} offsets (see {@link LinuxSyscalls}). */
    private static final class StatHandles {
        private static final String ARCH = System.getProperty("os.arch", "");
        private static final long SYS_FSTAT = LinuxSyscalls.fstatNumber(ARCH);
        private static final long MODE_OFFSET = LinuxSyscalls.statModeOffset(ARCH);
        private static final long SIZE_OFFSET = 48;
        /** 144 bytes on x86-64, 128 on aarch64: room for either. */
        private static final long STAT_LENGTH = 256;
        private static final MethodHandle SYSCALL_FSTAT = downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), ERRNO, Linker.Option.firstVariadicArg(1));
    }

    // ---- a worker's watch over its host (Pidfd, NativeProcess.exitNow): its own lazy holder, its own block ----

    /** {@code SYS_pidfd_open}: 434 on x86-64 and aarch64 alike (Linux 5.3+); -1 on other archs. */
    static final long SYS_PIDFD_OPEN = SYS_FUTEX > 0 ? 434 : -1;
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

    /** {@code syscall(SYS_pidfd_open, pid, 0)}: control path, throws {@link NativeCallException}. */
    static int pidfd_open(long pid) {
        MethodHandle handle = required(HostWatchHandles.SYSCALL_PIDFD_OPEN, "syscall");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            long fd;
            try {
                fd = (long) handle.invokeExact(state, SYS_PIDFD_OPEN, pid, 0L);
            } catch (Throwable t) {
                throw Errno.rethrow("pidfd_open", t);
            }
            if (fd < 0) {
                throw Errno.failure("pidfd_open(pid=" + pid + ", flags=0)", errno(state));
            }
            return (int) fd;
        }
    }

    /**
     * {@code poll(fds, nfds, timeout)}, raw: the waiting thread passes its own capture segment.
     *
     * @return how many entries have events, 0 on timeout, -1 with errno in {@code capture}
     */
    static int poll(MemorySegment capture, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) required(HostWatchHandles.POLL, "poll").invokeExact(capture, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw Errno.rethrow("poll", t);
        }
    }

    /**
     * {@code _exit(status)}: ends the process at once, without the JVM's shutdown (which waits up to
     * ~300 ms for threads blocked in native calls, such as a worker parked in futex).
     */
    static void _exit(int status) {
        try {
            required(HostWatchHandles.EXIT, "_exit").invokeExact(status);
        } catch (Throwable t) {
            throw Errno.rethrow("_exit", t);
        }
    }

    /**
     * {@code syscall} in the pidfd_open(2) shape, {@code poll} and {@code _exit}, linked together on
     * the first pidfd, so that exiting once the host is gone links nothing.
     */
    private static final class HostWatchHandles {
        // long syscall(long number, ...): every variadic argument a full register
        private static final MethodHandle SYSCALL_PIDFD_OPEN = downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                ERRNO, Linker.Option.firstVariadicArg(1));
        // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
        private static final MethodHandle POLL = downcall("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
        // void _exit(int status)
        private static final MethodHandle EXIT = downcall("_exit", FunctionDescriptor.ofVoid(JAVA_INT));
    }
}
