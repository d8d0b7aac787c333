package dev.knitting.internal.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.ProtocolException;
import dev.knitting.internal.os.SharedMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What {@link SharedBufferMemory#resolve} accepts from whom: a process worker's named memory is
 * refused before anything is opened (it cannot be sealed against truncation); a buffer this
 * process maps already is taken back whoever names it.
 */
class SharedBufferResolveTest {
    private static final long OTHER_PID = 1;

    @Test
    void shouldRefuseNamedMemoryFromAProcessWorkerBeforeOpeningIt() {
        String name = "knitting-resolve-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

        assertThatThrownBy(() -> SharedBufferMemory.resolve(OTHER_PID, 3, Token.random(), 4096, name, true, true))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("cannot be sealed")
                .hasMessageContaining("name=" + name);
        assertThat(Files.exists(Path.of("/dev/shm", name))).isFalse();
    }

    @Test
    void shouldTakeBackItsOwnNamedBufferFromAProcessWorker() {
        String name = "knitting-resolve-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        SharedBufferMemory own = SharedBufferMemory.createNamed(name, 4096);
        try {
            SharedBufferMemory back = SharedBufferMemory.resolve(OTHER_PID, 3, own.token(), 4096, name, true, true);

            assertThat(back).isSameAs(own);
            back.release();
        } finally {
            own.release();
            SharedMemory.unlink(name);
        }
    }

    @Test
    void shouldCheckTheHostsNamedMemoryInsteadOfRefusingIt() {
        String name = "knitting-resolve-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

        assertThatThrownBy(() -> SharedBufferMemory.resolve(OTHER_PID, 3, Token.random(), 4096, name, true, false))
                .isInstanceOf(ProtocolException.class).hasMessageNotContaining("cannot be sealed");
    }
}
