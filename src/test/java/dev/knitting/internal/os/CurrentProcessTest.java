package dev.knitting.internal.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CurrentProcessTest {
    @Test
    void thePidIsTheOneTheJdkReports() {
        assertThat(CurrentProcess.pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void theLastFieldOfTheNsPidLineIsThePidInTheProcessesOwnNamespace() {
        assertThat(CurrentProcess.nsPid("Name:\tjava\nPid:\t4711\nNSpid:\t4711\t12\nNSsid:\t1\n")).isEqualTo(12);
        assertThat(CurrentProcess.nsPid("NSpid:\t99\n")).isEqualTo(99);
        assertThat(CurrentProcess.nsPid("Pid:\t7\nNSpid:\t7\n")).isEqualTo(7);
    }

    @Test
    void aStatusWithoutACompleteNsPidLineGivesNoPid() {
        assertThat(CurrentProcess.nsPid("Name:\tjava\nPid:\t4711\n")).isEqualTo(-1);
        assertThat(CurrentProcess.nsPid("Pid:\t4711\nNSpid:\t4711")).as("cut short").isEqualTo(-1);
        assertThat(CurrentProcess.nsPid("Pid:\t4711\nNSpid:\t\n")).isEqualTo(-1);
        assertThat(CurrentProcess.nsPid("Pid:\t4711\nNSpid:\t47x1\n")).isEqualTo(-1);
        assertThat(CurrentProcess.nsPid("Pid:\t4711\nNSpid:\t0\n")).isEqualTo(-1);
        assertThat(CurrentProcess.nsPid("Pid:\t4711\nNSpid:\t1234567890123456789\n")).as("too long").isEqualTo(-1);
        assertThat(CurrentProcess.nsPid("")).isEqualTo(-1);
    }
}
