package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LinuxFutexTest extends WaiterContractTest {
    private static LinuxFutex futex;

    @BeforeAll
    static void onLinuxWithNativeAccess() {
        assumeThat(Platforms.isLinux() && Platforms.isSupportedLinuxArch()).as("Linux x86-64 or aarch64").isTrue();
        assumeThat(Platforms.nativeAccessEnabled()).as("native access").isTrue();
        futex = new LinuxFutex();
    }

    @Override
    Waiter waiter() {
        return futex;
    }

    @Override
    int wakeCount(MemorySegment word, int count) {
        return futex.wakeCount(word, count);
    }

    @Test
    @Timeout(30)
    void reportsAValueMismatchAsEagain() {
        word.set(JAVA_INT, 0, 3);

        assertThat(futex.awaitStatus(word, 2, LONG_SLEEP)).isEqualTo(Errno.EAGAIN);
    }

    @Test
    @Timeout(30)
    void reportsAnElapsedTimeoutAsEtimedout() {
        int status = futex.awaitStatus(word, 0, TimeUnit.MILLISECONDS.toNanos(5));

        assertThat(status).isIn(Errno.ETIMEDOUT, Errno.EINTR); // a signal may cut any sleep short
    }

    @Test
    void reachesOtherProcesses() {
        assertThat(futex.crossProcess()).isTrue();
    }
}
