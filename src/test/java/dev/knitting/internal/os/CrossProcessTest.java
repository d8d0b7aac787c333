package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour that needs a second JVM: futex wakes across processes, and the no-native-access path. */
class CrossProcessTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void aFutexWakeReachesASleeperInAnotherProcess() throws Exception {
        assumeThat(Waiter.platform()).isInstanceOf(LinuxFutex.class);
        LinuxFutex futex = (LinuxFutex) Waiter.platform();
        try (MappedRegion region = SharedMemory.createAnonymous("knitting-cross-process", 4096);
                ChildJvm child = ChildJvm.start(dir, CrossProcessFutexChild.class,
                        List.of("--enable-native-access=ALL-UNNAMED"), region.fdPath().toFile())) {
            MemorySegment go = region.segment().asSlice(CrossProcessFutexChild.GO_OFFSET, 4);

            // The word stays 0 until a wake finds the child asleep: that wake crossed processes.
            while (futex.wakeCount(go, 1) == 0) {
                assertThat(child.process.isAlive()).as("child alive; stderr: %s", child.stderr()).isTrue();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            go.set(JAVA_INT, 0, 41);
            futex.wake(go, Integer.MAX_VALUE);

            assertThat(child.awaitExit()).as("exit code; stderr: %s", child.stderr()).isZero();
            assertThat(region.segment().get(JAVA_INT, CrossProcessFutexChild.ANSWER_OFFSET)).isEqualTo(42);
        }
    }

    @Test
    @Timeout(180)
    void withoutNativeAccessTheFallbacksNameTheMissingFlag() throws Exception {
        assumeThat(Platforms.isLinux() && Platforms.isSupportedLinuxArch()).isTrue();
        try (ChildJvm child = ChildJvm.start(dir, NativeAccessChild.class, List.of(), null)) {
            assertThat(child.awaitExit()).as("exit code; stderr: %s", child.stderr()).isZero();

            assertThat(child.stdout())
                    .contains("waiter: InProcessWaiter")
                    .contains("reason: in-process waiter: native access is not enabled")
                    .contains("shared memory: shared memory between processes is not available")
                    .contains("add --enable-native-access=ALL-UNNAMED to the java command line");
            // no restricted method was called anyway, so the JDK printed no native-access warning
            assertThat(child.stderr()).doesNotContain("restricted method");
        }
    }
}
