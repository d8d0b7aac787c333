package dev.knitting.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;

class PlatformsTest {

    @Test
    void choosesTheFutexOnLinuxWithNativeAccess() {
        assumeThat(Platforms.isLinux() && Platforms.isSupportedLinuxArch()).isTrue();
        assumeThat(Platforms.nativeAccessEnabled()).isTrue();

        assertThat(Waiter.platform()).isInstanceOf(LinuxFutex.class).isSameAs(Platforms.waiter());
        assertThat(Waiter.platform().crossProcess()).isTrue();
        assertThat(Platforms.waiterReason()).contains("futex");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void syscallsLinkedInTheBackgroundServeEveryThreadAndTheLinkStartsOnce() throws Exception {
        assumeThat(Platforms.isLinux() && Platforms.isSupportedLinuxArch()).isTrue();
        assumeThat(Platforms.nativeAccessEnabled()).isTrue();

        Platforms.linkSyscallsInBackground();
        Platforms.linkSyscallsInBackground();

        assertThat(LinuxLibc.getpid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("knitting-syscall-link")).count()).isLessThanOrEqualTo(1);
    }

    @Test
    void namesTheClassPathFlagWhenRunFromTheClassPath() {
        assumeThat(Platforms.class.getModule().isNamed()).isFalse();

        assertThat(Platforms.nativeAccessFlag()).isEqualTo("--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void knowsTheFutexSyscallNumberOfEachSupportedArch() {
        assertThat(LinuxSyscalls.futexNumber("amd64")).isEqualTo(202);
        assertThat(LinuxSyscalls.futexNumber("x86_64")).isEqualTo(202);
        assertThat(LinuxSyscalls.futexNumber("aarch64")).isEqualTo(98);
        assertThat(LinuxSyscalls.futexNumber("riscv64")).isEqualTo(-1);
    }
}
