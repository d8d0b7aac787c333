package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.knitting.KnittingException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

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
            int result = call(Handles.PIPE2, "pipe2", state, fds.address(), LinuxLibc.O_CLOEXEC, 0, 0, 0, 0);
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
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            long actions = arena.allocate(OPAQUE_LENGTH, 16).address();
            long attributes = arena.allocate(OPAQUE_LENGTH, 16).address();
            long emptyMask = arena.allocate(SIGSET_LENGTH, 8).address();
            MemorySegment pid = arena.allocate(JAVA_INT);
            check(call(Handles.ACTIONS_INIT, "posix_spawn_file_actions_init", state, actions, 0, 0, 0, 0, 0),
                    "posix_spawn_file_actions_init");
            int result;
            try {
                check(call(Handles.ATTR_INIT, "posix_spawnattr_init", state, attributes, 0, 0, 0, 0, 0),
                        "posix_spawnattr_init");
                try {
                    if (stdin >= 0) {
                        check(call(Handles.ADDDUP2, "posix_spawn_file_actions_adddup2", state, actions, stdin, 0, 0, 0,
                                0), "adddup2(stdin=" + stdin + ")");
                    } else {
                        check(call(Handles.ADDOPEN, "posix_spawn_file_actions_addopen", state, actions, 0,
                                arena.allocateFrom("/dev/null").address(), 0, 0, 0), "addopen(stdin=/dev/null)");
                    }
                    if (stdout != null) {
                        check(call(Handles.ADDOPEN, "posix_spawn_file_actions_addopen", state, actions, 1,
                                arena.allocateFrom(stdout).address(), O_WRONLY | 0100 | 01000, 0644, 0),
                                "addopen(stdout=" + stdout + ")"); // O_CREAT|O_TRUNC
                    }
                    check(call(Handles.ADDDUP2, "posix_spawn_file_actions_adddup2", state, actions, stderr, 2, 0, 0, 0),
                            "adddup2(stderr=" + stderr + ")");
                    if (inherit >= 0) { // dup2 clears close-on-exec, also when inherit is 3 already
                        check(call(Handles.ADDDUP2, "posix_spawn_file_actions_adddup2", state, actions, inherit,
                                INHERITED_FD, 0, 0, 0), "adddup2(inherit=" + inherit + ")");
                    }
                    int firstClosed = inherit >= 0 ? INHERITED_FD + 1 : INHERITED_FD;
                    check(call(Handles.CLOSEFROM, "posix_spawn_file_actions_addclosefrom_np", state, actions,
                            firstClosed, 0, 0, 0, 0), "addclosefrom_np(" + firstClosed + ")");
                    check(call(Handles.SETSIGMASK, "posix_spawnattr_setsigmask", state, attributes, emptyMask, 0, 0, 0,
                            0), "posix_spawnattr_setsigmask");
                    check(call(Handles.SETFLAGS, "posix_spawnattr_setflags", state, attributes, POSIX_SPAWN_SETSIGMASK,
                            0, 0, 0, 0), "posix_spawnattr_setflags");
                    result = call(Handles.SPAWNP, "posix_spawnp", state, pid.address(),
                            arena.allocateFrom(argv.getFirst()).address(), actions, attributes,
                            strings(arena, argv).address(), strings(arena, environment.entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue()).toList()).address());
                } finally {
                    call(Handles.ATTR_DESTROY, "posix_spawnattr_destroy", state, attributes, 0, 0, 0, 0, 0);
                }
            } finally {
                call(Handles.ACTIONS_DESTROY, "posix_spawn_file_actions_destroy", state, actions, 0, 0, 0, 0, 0);
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
                int result = call(Handles.WAITID, "waitid", state, P_PID, pid, info.address(), WEXITED | WNOWAIT, 0,
                        0);
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
                int result = call(Handles.WAITPID, "waitpid", state, pid, status.address(), 0, 0, 0, 0);
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
            if (call(Handles.KILL, "kill", state, pid, signal, 0, 0, 0, 0) != 0) {
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

    /** @return the {@code int} result of a libc function linked by {@link LinuxLibc#integerFunction} */
    private static int call(MethodHandle function, String symbol, MemorySegment state, long a1, long a2, long a3,
                            long a4, long a5, long a6) {
        return (int) LinuxLibc.callFunction(function, symbol, state, a1, a2, a3, a4, a5, a6, 0);
    }

    /**
     * All in the one shape of {@link LinuxLibc#integerFunction}, which the worker's futex calls have
     * linked already: starting a confined worker links no new downcall stub (a dozen shapes cost a
     * cold host JVM hundreds of milliseconds).
     */
    private static final class Handles {
        static final MethodHandle ACTIONS_INIT = LinuxLibc.integerFunction("posix_spawn_file_actions_init");
        static final MethodHandle ACTIONS_DESTROY = LinuxLibc.integerFunction("posix_spawn_file_actions_destroy");
        static final MethodHandle ADDDUP2 = LinuxLibc.integerFunction("posix_spawn_file_actions_adddup2");
        static final MethodHandle ADDOPEN = LinuxLibc.integerFunction("posix_spawn_file_actions_addopen");
        static final MethodHandle CLOSEFROM = LinuxLibc.integerFunction("posix_spawn_file_actions_addclosefrom_np");
        static final MethodHandle ATTR_INIT = LinuxLibc.integerFunction("posix_spawnattr_init");
        static final MethodHandle ATTR_DESTROY = LinuxLibc.integerFunction("posix_spawnattr_destroy");
        static final MethodHandle SETSIGMASK = LinuxLibc.integerFunction("posix_spawnattr_setsigmask");
        static final MethodHandle SETFLAGS = LinuxLibc.integerFunction("posix_spawnattr_setflags");
        static final MethodHandle SPAWNP = LinuxLibc.integerFunction("posix_spawnp");
        static final MethodHandle PIPE2 = LinuxLibc.integerFunction("pipe2");
        static final MethodHandle WAITID = LinuxLibc.integerFunction("waitid");
        static final MethodHandle WAITPID = LinuxLibc.integerFunction("waitpid");
        static final MethodHandle KILL = LinuxLibc.integerFunction("kill");
    }
}
