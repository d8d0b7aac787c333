package dev.knitting.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void describesAKnownErrnoByNameAndText() {
        assertThat(Errno.describe(Errno.EBADF)).isEqualTo("EBADF (Bad file descriptor)");
        assertThat(Errno.describe(Errno.ETIMEDOUT)).isEqualTo("ETIMEDOUT (Connection timed out)");
    }

    @Test
    void describesAnUnknownErrnoByNumber() {
        assertThat(Errno.describe(200)).isEqualTo("errno 200");
        assertThat(Errno.describe(0)).isEqualTo("errno 0");
        assertThat(Errno.describe(-3)).isEqualTo("errno -3");
    }

    @Test
    void failureNamesTheCallAndTheErrno() {
        NativeCallException e = Errno.failure("close(fd=-1)", Errno.EBADF);

        assertThat(e).hasMessage("close(fd=-1) failed: EBADF (Bad file descriptor)");
        assertThat(e.call()).isEqualTo("close(fd=-1)");
        assertThat(e.errno()).isEqualTo(Errno.EBADF);
    }

    @Test
    void aFailedLibcCallThrowsWithTheCallAndItsArguments() {
        assumeThat(Platforms.isLinux() && Platforms.nativeAccessEnabled()).isTrue();

        // -1 is never an open descriptor, unlike a just-closed one that another thread may reuse
        assertThatThrownBy(() -> LinuxLibc.ftruncate(-1, 10)).isInstanceOf(NativeCallException.class)
                .hasMessage("ftruncate(fd=-1, length=10) failed: EBADF (Bad file descriptor)");
    }

    @Test
    void anInvalidShmNameIsReportedByShmOpen() {
        assumeThat(Platforms.isLinux() && Platforms.nativeAccessEnabled()).isTrue();

        assertThatThrownBy(() -> LinuxLibc.shm_open("/not/a/name", LinuxLibc.O_RDWR, 0))
                .isInstanceOf(NativeCallException.class)
                .hasMessageStartingWith("shm_open(name=\"/not/a/name\", oflag=02, mode=00) failed: EINVAL");
    }
}
