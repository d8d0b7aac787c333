package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Landlock: restricts the calling thread, and every thread and process it starts afterwards, to
 * the file trees it grants ({@code landlock(7)}). Landlock cannot restrict threads that already
 * run (that needs {@code LANDLOCK_RESTRICT_SELF_TSYNC}, Linux 7.0), so Knitting calls it on a
 * fresh thread that then starts one worker: the worker is born restricted in all its threads.
 *
 * <p>What a restricted thread may do: read (and execute) beneath every {@link Grant}, write
 * beneath the writable ones; nothing else on any file system. From ABI 4 it may neither bind nor
 * connect TCP unless {@code allowTcp}; from ABI 6 it may neither signal nor connect to the abstract
 * UNIX sockets of processes outside its domain. Every right this kernel's ABI knows is handled, so
 * whatever is not granted is denied.
 *
 * <p>Layouts ({@code linux/landlock.h}): {@code struct landlock_ruleset_attr} is three u64
 * ({@code handled_access_fs}, {@code handled_access_net} from ABI 4, {@code scoped} from ABI 6);
 * {@code struct landlock_path_beneath_attr} is packed: u64 {@code allowed_access}, s32
 * {@code parent_fd} (12 bytes).
 */
public final class Landlock {
    static final long EXECUTE = 1L;
    static final long WRITE_FILE = 1L << 1;
    static final long READ_FILE = 1L << 2;
    static final long READ_DIR = 1L << 3;
    static final long REMOVE_DIR = 1L << 4;
    static final long REMOVE_FILE = 1L << 5;
    static final long MAKE_CHAR = 1L << 6;
    static final long MAKE_DIR = 1L << 7;
    static final long MAKE_REG = 1L << 8;
    static final long MAKE_SOCK = 1L << 9;
    static final long MAKE_FIFO = 1L << 10;
    static final long MAKE_BLOCK = 1L << 11;
    static final long MAKE_SYM = 1L << 12;
    /** ABI 2. */
    static final long REFER = 1L << 13;
    /** ABI 3. */
    static final long TRUNCATE = 1L << 14;
    /** ABI 5. */
    static final long IOCTL_DEV = 1L << 15;
    /** ABI 4. */
    static final long NET_BIND_TCP = 1L;
    static final long NET_CONNECT_TCP = 1L << 1;
    /** ABI 6. */
    static final long SCOPE_ABSTRACT_UNIX_SOCKET = 1L;
    static final long SCOPE_SIGNAL = 1L << 1;

    static final long READ = EXECUTE | READ_FILE | READ_DIR;
    static final long WRITE = READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SOCK
            | MAKE_FIFO | MAKE_SYM | REFER | TRUNCATE;
    /** The only rights a rule on a file (not a directory) may carry. */
    static final long FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;

    private static final long PATH_BENEATH_LENGTH = 12;

    private Landlock() {
    }

    /** What a {@link Grant} allows beneath its path. */
    public enum Access {
        /** Read files, list directories, execute. */
        READ(Landlock.READ),
        /** Also write, create, remove and rename. */
        WRITE(Landlock.WRITE),
        /** Read and write files whose names one knows; no listing, creating or removing. */
        OPEN_BY_NAME(READ_FILE | WRITE_FILE);

        private final long rights;

        Access(long rights) {
            this.rights = rights;
        }
    }

    /**
     * A file or tree the restricted thread may use.
     *
     * @param path an absolute path that exists when the rules are applied
     * @param access what it may do beneath it
     */
    public record Grant(Path path, Access access) {
        /** Checks the path is absolute. */
        public Grant {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(access, "access");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("Landlock grant path=" + path + " is not absolute");
            }
        }
    }

    /** @return the kernel's Landlock ABI version, 0 when Landlock is absent or disabled */
    public static int abi() {
        return Probe.ABI;
    }

    /** @return why Landlock cannot be used here, empty when it can */
    public static String unavailableReason() {
        return Probe.REASON;
    }

    /**
     * @return the file-system rights ABI {@code abi} handles: all it knows, so none is left
     *     unrestricted
     */
    static long handledFs(int abi) {
        long rights = (1L << 13) - 1;
        if (abi >= 2) {
            rights |= REFER;
        }
        if (abi >= 3) {
            rights |= TRUNCATE;
        }
        if (abi >= 5) {
            rights |= IOCTL_DEV;
        }
        return rights;
    }

    /**
     * Restricts the calling thread for good: sets {@code no_new_privs}, then enforces a ruleset that
     * allows exactly {@code grants} (plus TCP when {@code allowTcp}). Only call on a thread made for
     * the purpose.
     *
     * @throws IllegalStateException if Landlock is unavailable
     * @throws NativeCallException if a grant's path cannot be opened or a call fails
     */
    public static void restrictCurrentThread(List<Grant> grants, boolean allowTcp) {
        int abi = abi();
        if (abi < 1) {
            throw new IllegalStateException("Landlock is not available: " + unavailableReason());
        }
        long handledFs = handledFs(abi);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(abi >= 6 ? 24 : 16, 8);
            attr.set(JAVA_LONG, 0, handledFs);
            if (abi >= 4) {
                attr.set(JAVA_LONG, 8, allowTcp ? 0 : NET_BIND_TCP | NET_CONNECT_TCP);
            }
            if (abi >= 6) {
                attr.set(JAVA_LONG, 16, SCOPE_SIGNAL | (allowTcp ? 0 : SCOPE_ABSTRACT_UNIX_SOCKET));
            }
            int ruleset = LinuxSandbox.landlockCreateRuleset(attr);
            try {
                MemorySegment rule = arena.allocate(PATH_BENEATH_LENGTH, 8);
                for (Grant grant : grants) {
                    addPathRule(ruleset, rule, grant, handledFs);
                }
                LinuxSandbox.setNoNewPrivs();
                LinuxSandbox.landlockRestrictSelf(ruleset);
            } finally {
                LinuxSandbox.close(ruleset);
            }
        }
    }

    private static void addPathRule(int ruleset, MemorySegment rule, Grant grant, long handledFs) {
        boolean directory = Files.isDirectory(grant.path());
        long allowed = grant.access().rights & handledFs & (directory ? -1L : FILE_RIGHTS);
        int fd = LinuxSandbox.openPath(grant.path().toString());
        try {
            rule.set(JAVA_LONG_UNALIGNED, 0, allowed);
            rule.set(JAVA_INT_UNALIGNED, 8, fd);
            LinuxSandbox.landlockAddRule(ruleset, LinuxSandbox.LANDLOCK_RULE_PATH_BENEATH, rule,
                    "path=" + grant.path() + ", allowed=0x" + Long.toHexString(allowed));
        } finally {
            LinuxSandbox.close(fd);
        }
    }

    /** @return the calling thread's kernel id, as in {@code /proc/<pid>/task/<tid>} */
    public static long currentThreadId() {
        return LinuxSandbox.gettid();
    }

    /** Asks the kernel once, on first use. */
    private static final class Probe {
        static final int ABI;
        static final String REASON;

        static {
            int abi = 0;
            String reason;
            if (!Platforms.isLinux()) {
                reason = "Landlock is Linux only, this is os.name=" + System.getProperty("os.name");
            } else if (Platforms.nativeAccessProblem().isPresent()) {
                reason = Platforms.nativeAccessProblem().get();
            } else if (!LinuxSandbox.archKnown()) {
                reason = "no syscall numbers for os.arch=" + System.getProperty("os.arch");
            } else {
                long result = LinuxSandbox.landlockAbi();
                if (result > 0) {
                    abi = (int) result;
                    reason = "";
                } else if (result == -Errno.EOPNOTSUPP) {
                    reason = "Landlock is built into this kernel but disabled (add landlock to the lsm= boot parameter)";
                } else {
                    reason = "this kernel has no Landlock (Linux 5.13+ with CONFIG_SECURITY_LANDLOCK): "
                            + Errno.describe((int) -result);
                }
            }
            ABI = abi;
            REASON = reason;
        }
    }
}
