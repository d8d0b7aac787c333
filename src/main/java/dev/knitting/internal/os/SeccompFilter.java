package dev.knitting.internal.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The classic-BPF seccomp program of a confined process worker, built in Java. Denied calls return
 * {@code EPERM} ({@code SECCOMP_RET_ERRNO}), so the JDK throws its own exception in the task that
 * tried ({@code IOException} from {@code ProcessBuilder.start}, {@code SocketException} from a
 * socket); nothing is killed.
 *
 * <pre>
 *  0  ld  arch                      ; seccomp_data.arch
 *  1  jeq AUDIT_ARCH ? 2 : DENY     ; any other ABI (i386 int 0x80 on x86-64) is refused whole
 *  2  ld  nr                        ; seccomp_data.nr
 *  3  jeq futex ? ALLOW             ; the hot path first (the kernel's per-syscall cache allows
 *                                   ; every call whose outcome ignores arguments without running this)
 *  4  jge X32_BIT ? DENY            ; x86-64 only: the x32 ABI numbers
 *     jeq execve, execveat, ptrace, process_vm_readv, process_vm_writev, pidfd_getfd, kcmp,
 *         tkill, pidfd_send_signal, io_uring_setup/enter/register ? DENY
 *     jeq socket ? SOCKET
 *     jeq tgkill, rt_tgsigqueueinfo ? SIGNAL
 *  ALLOW: ret ALLOW
 *  DENY:  ret ERRNO(EPERM)
 *  SOCKET: ld args[0]; jeq AF_UNIX ? ret ALLOW : ret ERRNO(EPERM)
 *  SIGNAL: ld args[0]; jeq own pid ? ret ALLOW : ret ERRNO(EPERM)
 * </pre>
 *
 * {@code allowExec} drops execve/execveat from the list; {@code allowNetwork} allows every socket
 * family and {@code io_uring} (whose {@code IORING_OP_SOCKET} would otherwise bypass the socket
 * rule). Signals go only to threads of the worker itself ({@code tgkill} with its own pid; the
 * thread-only {@code tkill} and {@code pidfd_send_signal} are denied): Landlock's signal scope does
 * the same for processes outside its domain, this covers the host threads that share it.
 *
 * <p>Instruction layout ({@code struct sock_filter}, 8 bytes, native order): u16 code, u8 jt,
 * u8 jf, u32 k. {@code struct seccomp_data}: s32 nr at 0, u32 arch at 4, u64 ip at 8, u64 args[6]
 * from 16 (the low 32 bits of args[i] at 16 + 8i on these little-endian arches).
 */
public final class SeccompFilter {
    static final int RET_ALLOW = 0x7fff0000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_DENY = RET_ERRNO | Errno.EPERM;
    static final int AF_UNIX = 1;

    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short RET_K = 0x06;
    private static final int NR_OFFSET = 0;
    private static final int ARCH_OFFSET = 4;
    private static final int ARG0_OFFSET = 16;

    /** The numbers of one arch. */
    record Arch(String name, int auditArch, boolean x32Bit, int futex, int execve, int execveat, int ptrace,
                int processVmReadv, int processVmWritev, int pidfdGetfd, int kcmp, int tkill, int tgkill,
                int rtTgsigqueueinfo, int pidfdSendSignal, int ioUringSetup, int ioUringEnter, int ioUringRegister,
                int socket) {
    }

    /** x86-64: {@code AUDIT_ARCH_X86_64} = EM_X86_64 (62) | 64-bit | little-endian. */
    static final Arch X86_64 = new Arch("x86_64", 0xc000003e, true, 202, 59, 322, 101, 310, 311, 438, 312, 200,
            234, 297, 424, 425, 426, 427, 41);
    /** aarch64 (asm-generic numbers): {@code AUDIT_ARCH_AARCH64} = EM_AARCH64 (183) | 64-bit | LE. */
    static final Arch AARCH64 = new Arch("aarch64", 0xc00000b7, false, 98, 221, 281, 117, 270, 271, 438, 272, 130,
            131, 240, 424, 425, 426, 427, 198);

    private final List<long[]> code = new ArrayList<>();

    private SeccompFilter() {
    }

    /** @return the numbers of {@code os.arch}, or {@code null} when this class has none */
    static Arch arch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> null;
        };
    }

    /**
     * @param selfPid the worker's own pid: the only process its threads may signal
     * @return the program as {@code struct sock_filter} entries in native (little-endian) order
     */
    static byte[] program(Arch arch, boolean allowExec, boolean allowNetwork, int selfPid) {
        SeccompFilter f = new SeccompFilter();
        List<Integer> denied = new ArrayList<>(List.of(arch.ptrace(), arch.processVmReadv(), arch.processVmWritev(),
                arch.pidfdGetfd(), arch.kcmp(), arch.tkill(), arch.pidfdSendSignal()));
        if (!allowExec) {
            denied.addAll(List.of(arch.execve(), arch.execveat()));
        }
        if (!allowNetwork) {
            denied.addAll(List.of(arch.ioUringSetup(), arch.ioUringEnter(), arch.ioUringRegister()));
        }
        f.load(ARCH_OFFSET);
        f.jumpUnlessEqualTo(arch.auditArch(), "deny");
        f.load(NR_OFFSET);
        f.ifEqual(arch.futex(), "allow");
        if (arch.x32Bit()) {
            f.add(JGE_K, 0x40000000, "deny", null);
        }
        for (int nr : denied) {
            f.ifEqual(nr, "deny");
        }
        if (!allowNetwork) {
            f.ifEqual(arch.socket(), "socket");
        }
        f.ifEqual(arch.tgkill(), "signal");
        f.ifEqual(arch.rtTgsigqueueinfo(), "signal");
        f.label("allow");
        f.ret(RET_ALLOW);
        f.label("deny");
        f.ret(RET_DENY);
        f.label("socket"); // BPF jumps go forward only: each argument check returns on its own
        f.load(ARG0_OFFSET);
        f.jumpUnlessEqualTo(AF_UNIX, "socket-deny");
        f.ret(RET_ALLOW);
        f.label("socket-deny");
        f.ret(RET_DENY);
        f.label("signal");
        f.load(ARG0_OFFSET);
        f.jumpUnlessEqualTo(selfPid, "signal-deny");
        f.ret(RET_ALLOW);
        f.label("signal-deny");
        f.ret(RET_DENY);
        return f.assemble();
    }

    // ---- a tiny assembler: forward jumps to labels, resolved at the end ----

    private final List<String> labels = new ArrayList<>();
    private final List<Integer> labelAt = new ArrayList<>();
    private final List<String[]> targets = new ArrayList<>();

    private void load(int offset) {
        add(LD_W_ABS, offset, null, null);
    }

    private void ifEqual(int value, String label) {
        add(JEQ_K, value, label, null);
    }

    private void jumpUnlessEqualTo(int value, String label) {
        add(JEQ_K, value, null, label);
    }

    private void ret(int action) {
        add(RET_K, action, null, null);
    }

    private void label(String name) {
        labels.add(name);
        labelAt.add(code.size());
    }

    private void add(short op, int k, String ifTrue, String ifFalse) {
        code.add(new long[] {op, k});
        targets.add(new String[] {ifTrue, ifFalse});
    }

    private byte[] assemble() {
        ByteBuffer out = ByteBuffer.allocate(code.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < code.size(); i++) {
            out.putShort((short) code.get(i)[0]);
            out.put(offset(i, targets.get(i)[0]));
            out.put(offset(i, targets.get(i)[1]));
            out.putInt((int) code.get(i)[1]);
        }
        return out.array();
    }

    private byte offset(int from, String label) {
        if (label == null) {
            return 0;
        }
        int to = labelAt.get(labels.indexOf(label));
        int jump = to - from - 1;
        if (jump < 0 || jump > 255) {
            throw new IllegalStateException("seccomp jump from " + from + " to " + label + "=" + to + " out of range");
        }
        return (byte) jump;
    }
}
