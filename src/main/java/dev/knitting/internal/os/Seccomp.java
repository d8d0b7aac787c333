package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Installs a confined worker's {@link SeccompFilter} on every thread of this JVM at once
 * ({@code SECCOMP_FILTER_FLAG_TSYNC}), and says whether the kernel can.
 */
public final class Seccomp {
    private Seccomp() {
    }

    /** @return why seccomp filters cannot be used here, empty when they can */
    public static String unavailableReason() {
        return Probe.REASON;
    }

    /**
     * Filters every thread of this process for good (see {@link SeccompFilter}). Sets
     * {@code no_new_privs} first unless {@code noNewPrivsSet} (a worker started under Landlock has it
     * from its spawner: it passes to every process started after it was set, and is never cleared).
     *
     * @throws IllegalStateException if this arch has no filter or a thread could not be synchronised
     * @throws NativeCallException if the kernel refuses the filter
     */
    public static void confineAllThreads(boolean allowExec, boolean allowNetwork, boolean noNewPrivsSet) {
        SeccompFilter.Arch arch = SeccompFilter.arch(System.getProperty("os.arch", ""));
        if (arch == null || !LinuxSandbox.archKnown()) { // no probe here: the host asked, the kernel will answer
            throw new IllegalStateException("no seccomp filter for os.arch=" + System.getProperty("os.arch"));
        }
        byte[] program = SeccompFilter.program(arch, allowExec,
                allowNetwork, (int) NativeProcess.pid());
        try (Arena arena = Arena.ofConfined()) {
            // Only int accesses, which a worker has used already: the first heap-to-native copy or
            // address store in a cold JVM costs milliseconds. Both arches are little-endian.
            MemorySegment filter = arena.allocate(program.length, 8);
            ByteBuffer words = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
            for (int offset = 0; offset < program.length; offset += 4) {
                filter.set(JAVA_INT, offset, words.getInt(offset));
            }
            MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog: u16 len, 6 bytes pad, pointer
            fprog.set(JAVA_INT, 0, program.length / 8);
            fprog.set(JAVA_INT, 8, (int) filter.address());
            fprog.set(JAVA_INT, 12, (int) (filter.address() >>> 32));
            if (!noNewPrivsSet) {
                LinuxSandbox.setNoNewPrivs();
            }
            long result = LinuxSandbox.seccompSetFilterAllThreads(fprog);
            if (result != 0) {
                throw new IllegalStateException("seccomp could not filter thread " + result + " of this JVM (it has"
                        + " a filter of its own)");
            }
        }
    }

    private static final class Probe {
        static final String REASON = probe();

        private static String probe() {
            if (!Platforms.isLinux()) {
                return "seccomp is Linux only, this is os.name=" + System.getProperty("os.name");
            }
            if (Platforms.nativeAccessProblem().isPresent()) {
                return Platforms.nativeAccessProblem().get();
            }
            if (!LinuxSandbox.archKnown() || SeccompFilter.arch(System.getProperty("os.arch", "")) == null) {
                return "no seccomp filter for os.arch=" + System.getProperty("os.arch");
            }
            long mode = LinuxSandbox.seccompMode();
            if (mode < 0) {
                return "this kernel has no seccomp (CONFIG_SECCOMP): " + Errno.describe((int) -mode);
            }
            if (!LinuxSandbox.seccompActionAvailable(SeccompFilter.RET_ERRNO)) {
                return "this kernel's seccomp cannot return an errno (SECCOMP_RET_ERRNO)";
            }
            return "";
        }
    }
}
