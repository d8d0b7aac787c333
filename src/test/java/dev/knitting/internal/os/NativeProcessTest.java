package dev.knitting.internal.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class NativeProcessTest {

    @Test
    void agreesWithProcessHandleOnBothIds() {
        ProcessHandle self = ProcessHandle.current();

        assertThat(NativeProcess.pid()).isEqualTo(self.pid());
        assertThat(NativeProcess.parentPid()).isEqualTo(self.parent().map(ProcessHandle::pid).orElse(-1L));
    }

    @Test
    @Timeout(120)
    void exitsNowWithTheStatusAndRunsNoShutdownHookWhileAThreadIsBlockedInANativeCall(@TempDir Path dir)
            throws Exception {
        try (ChildJvm child = ChildJvm.start(dir, ExitNowChild.class, List.of(Platforms.nativeAccessFlag()), null)) {
            assertThat(child.awaitExit()).as("stderr: %s", child.stderr()).isEqualTo(42);
            assertThat(child.stdout()).contains("blocking", "exiting").doesNotContain("hook ran", "still running");
        }
    }
}
