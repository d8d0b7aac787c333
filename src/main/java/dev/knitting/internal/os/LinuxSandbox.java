package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Raw bindings of the kernel's confinement calls: {@code prctl(PR_SET_NO_NEW_PRIVS)},
 * {@code landlock_create_ruleset}, {@code landlock_add_rule}, {@code landlock_restrict_self} and
 * {@code seccomp}, all through {@link LinuxLibc#syscallOrErrno}, the one variadic {@code syscall}
 * handle every raw call shares (glibc has no wrappers for the Landlock calls). Control path only: errno is captured per call and a failure throws
 * {@link NativeCallException} naming the call, except where a caller asks for the raw result.
 *
 * <p>Syscall numbers: the Landlock calls are 444 to 446 on every arch (they postdate the
 * unified table); {@code seccomp} is 317 on x86-64 and 277 on aarch64; {@code prctl} 157 and 167.
 */
@SuppressWarnings("restricted")
final class LinuxSandbox {
    static final int PR_SET_NO_NEW_PRIVS = 38;
    static final int PR_GET_SECCOMP = 21;
    static final int LANDLOCK_CREATE_RULESET_VERSION = 1;
    static final int LANDLOCK_RULE_PATH_BENEATH = 1;
    static final int LANDLOCK_RULE_NET_PORT = 2;
    static final int SECCOMP_SET_MODE_FILTER = 1;
    static final int SECCOMP_GET_ACTION_AVAIL = 2;
    static final int SECCOMP_FILTER_FLAG_TSYNC = 1;
    static final int O_PATH = 010000000;

    private static final long SYS_LANDLOCK_CREATE_RULESET = 444;
    private static final long SYS_LANDLOCK_ADD_RULE = 445;
    private static final long SYS_LANDLOCK_RESTRICT_SELF = 446;
    /** -1 on an arch without a number here. */
    static final long SYS_SECCOMP = LinuxLibc.SYS.seccomp();
    private static final long SYS_PRCTL = LinuxLibc.SYS.prctl();
    private static final long SYS_GETTID = LinuxLibc.SYS.gettid();

    private LinuxSandbox() {
    }

    /** @return whether this arch has the numbers above */
    static boolean archKnown() {
        return SYS_SECCOMP > 0 && SYS_PRCTL > 0;
    }

    /** @return the calling thread's kernel id ({@code gettid}) */
    static long gettid() {
        return check(syscall(SYS_GETTID, 0, 0, 0), "gettid");
    }

    /** Sets {@code no_new_privs} on the calling thread (inherited by threads and processes it starts). */
    static void setNoNewPrivs() {
        check(syscall(SYS_PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0), "prctl(PR_SET_NO_NEW_PRIVS, 1)");
    }

    /** @return the raw {@code prctl(PR_GET_SECCOMP)}: 0 unfiltered, 2 filtered, -errno when absent */
    static long seccompMode() {
        return syscall(SYS_PRCTL, PR_GET_SECCOMP, 0, 0);
    }

    /**
     * @return the Landlock ABI version, or {@code -errno} ({@code -ENOSYS} without Landlock in the
     *     kernel, {@code -EOPNOTSUPP} when it is built in but disabled at boot)
     */
    static long landlockAbi() {
        return syscall(SYS_LANDLOCK_CREATE_RULESET, 0, 0, LANDLOCK_CREATE_RULESET_VERSION);
    }

    /** @return a new ruleset fd for the {@code struct landlock_ruleset_attr} at {@code attr} */
    static int landlockCreateRuleset(MemorySegment attr) {
        return (int) check(syscall(SYS_LANDLOCK_CREATE_RULESET, attr.address(), attr.byteSize(), 0),
                "landlock_create_ruleset(size=" + attr.byteSize() + ")");
    }

    /** Adds one rule ({@code struct landlock_path_beneath_attr} or {@code landlock_net_port_attr}). */
    static void landlockAddRule(int rulesetFd, int ruleType, MemorySegment rule, String what) {
        check(syscall(SYS_LANDLOCK_ADD_RULE, rulesetFd, ruleType, rule.address()),
                "landlock_add_rule(" + what + ")");
    }

    /** Restricts the calling thread (and what it starts later) to the ruleset. */
    static void landlockRestrictSelf(int rulesetFd) {
        check(syscall(SYS_LANDLOCK_RESTRICT_SELF, rulesetFd, 0, 0), "landlock_restrict_self");
    }

    /**
     * Installs a seccomp filter on every thread of this process ({@code SECCOMP_FILTER_FLAG_TSYNC}).
     *
     * @param program a {@code struct sock_fprog}
     * @return 0, or the id of a thread that could not be synchronised
     */
    static long seccompSetFilterAllThreads(MemorySegment program) {
        return check(syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, program.address()),
                "seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC)");
    }

    /** @return whether the kernel knows the filter return action {@code action} */
    static boolean seccompActionAvailable(int action) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            value.set(JAVA_INT, 0, action);
            return syscall(SYS_SECCOMP, SECCOMP_GET_ACTION_AVAIL, 0, value.address()) == 0;
        }
    }

    /** @return an {@code O_PATH | O_CLOEXEC} descriptor of {@code path}, for a Landlock rule */
    static int openPath(String path) {
        return LinuxLibc.open(path, O_PATH | LinuxLibc.O_CLOEXEC, 0);
    }

    static void close(int fd) {
        LinuxLibc.close(fd);
    }

    /** @return the raw result; a failure is {@code -errno} (never a bare -1) */
    private static long syscall(long number, long a, long b, long c) {
        if (number < 0) {
            return -Errno.ENOSYS;
        }
        return LinuxLibc.syscallOrErrno(number, a, b, c, 0, 0, 0);
    }

    private static long check(long result, String call) {
        if (result < 0) {
            throw Errno.failure(call, (int) -result);
        }
        return result;
    }
}
