package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.knitting.KnittingException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starting and reaping a child process with glibc's {@code posix_spawnp} and {@code waitid} /
 * {@code waitpid}, from the calling thread. {@code ProcessBuilder} cannot be used where the calling
 * thread is confined: it creates the JDK's process-reaper thread from the calling thread, and a
 * thread started by a Landlock-restricted thread is restricted too, so that reaper (reused later
 * for any process of the JVM) and every thread it starts would be confined. Here no thread is
 * created at all; the caller waits for its child itself.
 *
 * <p>The child gets {@code stdin} as fd 0, {@code stdout} as fd 1 (or the caller's fd 1), the
 * stderr pipe's write end as fd 2, optionally one more descriptor as fd 3, an empty signal mask,
 * and nothing else: every other descriptor from 3 up is closed ({@code posix_spawn_file_actions_addclosefrom_np}, glibc 2.34+; the JDK opens
 * files without {@code O_CLOEXEC}).
 */
@SuppressWarnings("restricted")
public final class LinuxSpawn {
    /** The child's descriptor number of what {@code spawn}'s {@code inherit} hands it. */
    public static final int INHERITED_FD = 3;
    private static final int O_WRONLY = 1;
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** Room for glibc's {@code posix_spawn_file_actions_t} (80 bytes) and {@code posix_spawnattr_t} (336). */
    private static final long OPAQUE_LENGTH = 1024;
    private static final long SIGINFO_LENGTH = 128;
    private static final long SIGSET_LENGTH = 128;

    private LinuxSpawn() {
    }

    /** @return why processes cannot be spawned this way here, empty when they can */
    public static String unavailableReason() {
        if (!Platforms.isLinux()) {
            return "posix_spawn is used on Linux only, this is os.name=" + System.getProperty("os.name");
        }
        if (Platforms.nativeAccessProblem().isPresent()) {
            return Platforms.nativeAccessProblem().get();
        }
        return Handles.CLOSEFROM == null ? "this libc has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34+)"
                : "";
    }

    /** @return a pipe, both ends close-on-exec: {read, write} */
    public static int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result;
            try {
                result = (int) required(Handles.PIPE2, "pipe2").invokeExact(state, fds, LinuxLibc.O_CLOEXEC);
            } catch (Throwable t) {
                throw Errno.rethrow("pipe2", t);
            }
            if (result != 0) {
                throw Errno.failure("pipe2(O_CLOEXEC)", LinuxLibc.errno(state));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * Starts {@code argv} (the first word found on the caller's {@code PATH} unless it has a slash).
     *
     * @param stdin the descriptor that becomes fd 0, or -1 for {@code /dev/null}
     * @param stdout the file opened for writing as fd 1, or {@code null} to share the caller's fd 1
     * @param stderr the descriptor that becomes fd 2
     * @return the child's pid
     * @throws NativeCallException if the child cannot be started (errno of the failed step)
     */
    public static int spawn(List<String> argv, Map<String, String> environment, int stdin, String stdout, int stderr) {
        return spawn(argv, environment, stdin, stdout, stderr, -1);
    }

    /**
     * Starts {@code argv} as {@link #spawn(List, Map, int, String, int)} does, also handing it
     * {@code inherit} as its fd {@value #INHERITED_FD}.
     *
     * @param inherit the descriptor that becomes the child's fd {@value #INHERITED_FD}, or -1 for none
     * @return the child's pid
     */
    public static int spawn(List<String> argv, Map<String, String> environment, int stdin, String stdout, int stderr,
                            int inherit) {
        String unavailable = unavailableReason();
        if (!unavailable.isEmpty()) {
            throw new KnittingException("cannot spawn a process: " + unavailable);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE_LENGTH, 16);
            MemorySegment attributes = arena.allocate(OPAQUE_LENGTH, 16);
            MemorySegment emptyMask = arena.allocate(SIGSET_LENGTH, 8);
            MemorySegment pid = arena.allocate(JAVA_INT);
            int result;
            try {
                check((int) Handles.ACTIONS_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
                try {
                    check((int) Handles.ATTR_INIT.invokeExact(attributes), "posix_spawnattr_init");
                    try {
                        if (stdin >= 0) {
                            check((int) Handles.ADDDUP2.invokeExact(actions, stdin, 0), "adddup2(stdin=" + stdin + ")");
                        } else {
                            check((int) Handles.ADDOPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), 0, 0),
                                    "addopen(stdin=/dev/null)");
                        }
                        if (stdout != null) {
                            check((int) Handles.ADDOPEN.invokeExact(actions, 1, arena.allocateFrom(stdout),
                                    O_WRONLY | 0100 | 01000, 0644), "addopen(stdout=" + stdout + ")"); // O_CREAT|O_TRUNC
                        }
                        check((int) Handles.ADDDUP2.invokeExact(actions, stderr, 2), "adddup2(stderr=" + stderr + ")");
                        if (inherit >= 0) { // dup2 clears close-on-exec, also when inherit is 3 already
                            check((int) Handles.ADDDUP2.invokeExact(actions, inherit, INHERITED_FD),
                                    "adddup2(inherit=" + inherit + ")");
                        }
                        int firstClosed = inherit >= 0 ? INHERITED_FD + 1 : INHERITED_FD;
                        check((int) Handles.CLOSEFROM.invokeExact(actions, firstClosed), "addclosefrom_np(" + firstClosed
                                + ")");
                        check((int) Handles.SETSIGMASK.invokeExact(attributes, emptyMask), "posix_spawnattr_setsigmask");
                        check((int) Handles.SETFLAGS.invokeExact(attributes, (short) POSIX_SPAWN_SETSIGMASK),
                                "posix_spawnattr_setflags");
                        result = (int) Handles.SPAWNP.invokeExact(pid, arena.allocateFrom(argv.getFirst()), actions,
                                attributes, strings(arena, argv), strings(arena, environment.entrySet().stream()
                                        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
                    } finally {
                        int ignored = (int) Handles.ATTR_DESTROY.invokeExact(attributes);
                    }
                } finally {
                    int ignored = (int) Handles.ACTIONS_DESTROY.invokeExact(actions);
                }
            } catch (NativeCallException e) {
                throw e;
            } catch (Throwable t) {
                throw Errno.rethrow("posix_spawnp", t);
            }
            if (result != 0) {
                throw Errno.failure("posix_spawnp(" + argv.getFirst() + ")", result);
            }
            return pid.get(JAVA_INT, 0);
        }
    }

    /** Blocks until child {@code pid} has exited, leaving it unreaped (its pid stays taken). */
    public static void awaitExit(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            MemorySegment info = arena.allocate(SIGINFO_LENGTH, 8);
            while (true) {
                int result;
                try {
                    result = (int) required(Handles.WAITID, "waitid").invokeExact(state, P_PID, pid, info,
                            WEXITED | WNOWAIT);
                } catch (Throwable t) {
                    throw Errno.rethrow("waitid", t);
                }
                if (result == 0) {
                    return;
                }
                if (LinuxLibc.errno(state) != Errno.EINTR) {
                    throw Errno.failure("waitid(pid=" + pid + ")", LinuxLibc.errno(state));
                }
            }
        }
    }

    /**
     * Reaps an exited child.
     *
     * @return its exit code, or 128 + the signal that killed it (as {@code Process.exitValue})
     */
    public static int reap(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                int result;
                try {
                    result = (int) required(Handles.WAITPID, "waitpid").invokeExact(state, pid, status, 0);
                } catch (Throwable t) {
                    throw Errno.rethrow("waitpid", t);
                }
                if (result == pid) {
                    int s = status.get(JAVA_INT, 0);
                    return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 0x80 + (s & 0x7f);
                }
                if (result < 0 && LinuxLibc.errno(state) != Errno.EINTR) {
                    throw Errno.failure("waitpid(pid=" + pid + ")", LinuxLibc.errno(state));
                }
            }
        }
    }

    /** Sends {@code signal} to a child that has not been reaped yet. */
    public static void kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            int result;
            try {
                result = (int) required(Handles.KILL, "kill").invokeExact(state, pid, signal);
            } catch (Throwable t) {
                throw Errno.rethrow("kill", t);
            }
            if (result != 0) {
                throw Errno.failure("kill(pid=" + pid + ", signal=" + signal + ")", LinuxLibc.errno(state));
            }
        }
    }

    /** Closes a descriptor of this process. */
    public static void close(int fd) {
        LinuxLibc.close(fd);
    }

    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("spawn argument or variable=" + value + " has a NUL");
            }
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(value));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(int result, String call) {
        if (result != 0) {
            throw Errno.failure(call, result); // these return the error number itself
        }
    }

    private static MethodHandle required(MethodHandle handle, String symbol) {
        if (handle == null) {
            throw new KnittingException("this libc has no " + symbol);
        }
        return handle;
    }

    private static final class Handles {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
        static final MethodHandle ACTIONS_INIT = link("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ACTIONS_DESTROY = link("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ADDDUP2 = link("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle ADDOPEN = link("posix_spawn_file_actions_addopen",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle CLOSEFROM = link("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle ATTR_INIT = link("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ATTR_DESTROY = link("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle SETSIGMASK = link("posix_spawnattr_setsigmask",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SETFLAGS = link("posix_spawnattr_setflags",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, java.lang.foreign.ValueLayout.JAVA_SHORT));
        static final MethodHandle SPAWNP = link("posix_spawnp",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle PIPE2 = linkErrno("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle WAITID = linkErrno("waitid",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle WAITPID = linkErrno("waitpid",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle KILL = linkErrno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

        private static MethodHandle link(String symbol, FunctionDescriptor descriptor) {
            Optional<MemorySegment> address = LINKER.defaultLookup().find(symbol);
            return address.map(a -> LINKER.downcallHandle(a, descriptor)).orElse(null);
        }

        private static MethodHandle linkErrno(String symbol, FunctionDescriptor descriptor) {
            Optional<MemorySegment> address = LINKER.defaultLookup().find(symbol);
            return address.map(a -> LINKER.downcallHandle(a, descriptor, ERRNO)).orElse(null);
        }
    }
}
