package dev.knitting.internal.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Runs the worker's seccomp program through a small classic-BPF interpreter (the four instructions
 * it uses) and checks every decision: what is denied, what a grant lets through, and that the hot
 * path and other architectures are handled first.
 */
class SeccompFilterTest {
    private static final int PID = 4242;
    private static final int AF_INET = 2;
    private static final int AF_NETLINK = 16;

    static Stream<Arguments> arches() {
        return Stream.of(Arguments.of(SeccompFilter.X86_64), Arguments.of(SeccompFilter.AARCH64));
    }

    @ParameterizedTest
    @MethodSource("arches")
    void aStrictFilterDeniesExecPtraceAndTheOtherProcessCallsWithEperm(SeccompFilter.Arch arch) {
        byte[] program = SeccompFilter.program(arch, false, false, PID);

        for (int nr : new int[] {arch.execve(), arch.execveat(), arch.ptrace(), arch.processVmReadv(),
                arch.processVmWritev(), arch.pidfdGetfd(), arch.kcmp(), arch.tkill(), arch.pidfdSendSignal(),
                arch.ioUringSetup(), arch.ioUringEnter(), arch.ioUringRegister()}) {
            assertThat(run(program, arch.auditArch(), nr, 0)).as("syscall %d", nr).isEqualTo(SeccompFilter.RET_DENY);
        }
        assertThat(SeccompFilter.RET_DENY).isEqualTo(0x00050001);
    }

    @ParameterizedTest
    @MethodSource("arches")
    void aStrictFilterAllowsOnlyUnixSockets(SeccompFilter.Arch arch) {
        byte[] program = SeccompFilter.program(arch, false, false, PID);

        assertThat(run(program, arch.auditArch(), arch.socket(), SeccompFilter.AF_UNIX)).isEqualTo(SeccompFilter.RET_ALLOW);
        assertThat(run(program, arch.auditArch(), arch.socket(), AF_INET)).isEqualTo(SeccompFilter.RET_DENY);
        assertThat(run(program, arch.auditArch(), arch.socket(), AF_NETLINK)).isEqualTo(SeccompFilter.RET_DENY);
    }

    @ParameterizedTest
    @MethodSource("arches")
    void signalsReachOnlyTheWorkersOwnThreads(SeccompFilter.Arch arch) {
        byte[] program = SeccompFilter.program(arch, false, false, PID);

        assertThat(run(program, arch.auditArch(), arch.tgkill(), PID)).isEqualTo(SeccompFilter.RET_ALLOW);
        assertThat(run(program, arch.auditArch(), arch.tgkill(), PID + 1)).isEqualTo(SeccompFilter.RET_DENY);
        assertThat(run(program, arch.auditArch(), arch.rtTgsigqueueinfo(), 1)).isEqualTo(SeccompFilter.RET_DENY);
    }

    @ParameterizedTest
    @MethodSource("arches")
    void grantsLetExactlyTheirCallsThrough(SeccompFilter.Arch arch) {
        byte[] exec = SeccompFilter.program(arch, true, false, PID);
        byte[] network = SeccompFilter.program(arch, false, true, PID);

        assertThat(run(exec, arch.auditArch(), arch.execve(), 0)).isEqualTo(SeccompFilter.RET_ALLOW);
        assertThat(run(exec, arch.auditArch(), arch.socket(), AF_INET)).isEqualTo(SeccompFilter.RET_DENY);
        assertThat(run(network, arch.auditArch(), arch.socket(), AF_INET)).isEqualTo(SeccompFilter.RET_ALLOW);
        assertThat(run(network, arch.auditArch(), arch.execve(), 0)).isEqualTo(SeccompFilter.RET_DENY);
        assertThat(run(network, arch.auditArch(), arch.ptrace(), 0)).isEqualTo(SeccompFilter.RET_DENY);
    }

    @ParameterizedTest
    @MethodSource("arches")
    void futexIsDecidedAtTheFourthInstructionAndOrdinaryCallsAreAllowed(SeccompFilter.Arch arch) {
        byte[] program = SeccompFilter.program(arch, false, false, PID);

        assertThat(steps(program, arch.auditArch(), arch.futex(), 0)).isEqualTo(5);
        assertThat(run(program, arch.auditArch(), arch.futex(), 0)).isEqualTo(SeccompFilter.RET_ALLOW);
        assertThat(run(program, arch.auditArch(), 0, 0)).isEqualTo(SeccompFilter.RET_ALLOW); // read / io_setup
    }

    @Test
    void anotherAbiIsRefusedWhole() {
        byte[] program = SeccompFilter.program(SeccompFilter.X86_64, true, true, PID);
        int auditArchI386 = 0x40000003;

        assertThat(run(program, auditArchI386, 0, 0)).isEqualTo(SeccompFilter.RET_DENY);
        assertThat(run(program, SeccompFilter.X86_64.auditArch(), 0x40000000 | 1, 0)).as("x32 write")
                .isEqualTo(SeccompFilter.RET_DENY);
    }

    private static int run(byte[] program, int arch, int nr, int arg0) {
        return (int) execute(program, arch, nr, arg0)[0];
    }

    private static long steps(byte[] program, int arch, int nr, int arg0) {
        return execute(program, arch, nr, arg0)[1];
    }

    /** @return {return value, instructions executed} */
    private static long[] execute(byte[] program, int arch, int nr, int arg0) {
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putInt(16, arg0);
        int a = 0;
        int pc = 0;
        for (long steps = 1; steps < 1000; steps++) {
            int at = pc * 8;
            int op = code.getShort(at) & 0xffff;
            int jt = code.get(at + 2) & 0xff;
            int jf = code.get(at + 3) & 0xff;
            int k = code.getInt(at + 4);
            switch (op) {
                case 0x20 -> { a = data.getInt(k); pc++; }
                case 0x15 -> pc += 1 + (a == k ? jt : jf);
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(a, k) >= 0 ? jt : jf);
                case 0x06 -> { return new long[] {k, steps}; }
                default -> throw new AssertionError("unexpected opcode 0x" + Integer.toHexString(op) + " at " + pc);
            }
            assertThat(pc * 8).as("pc in range").isLessThan(program.length);
        }
        throw new AssertionError("no return");
    }
}
