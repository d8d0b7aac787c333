package dev.knitting.internal.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NativeProcessTest {

    @Test
    void agreesWithProcessHandleOnBothIds() {
        ProcessHandle self = ProcessHandle.current();

        assertThat(NativeProcess.pid()).isEqualTo(self.pid());
        assertThat(NativeProcess.parentPid()).isEqualTo(self.parent().map(ProcessHandle::pid).orElse(-1L));
    }
}
