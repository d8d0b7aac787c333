package dev.knitting.internal.share;

import dev.knitting.KnittingException;
import dev.knitting.shm.ProcessSharedBuffer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The buffer itself: creation, names, slices, closing, and clear errors for bad sizes and names. */
class ProcessSharedBufferTest {
    private static String uniqueName() {
        return "knitting-psb-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void shouldCreateZeroedMemoryOfTheRequestedSize() {
        try (ProcessSharedBuffer b = ProcessSharedBuffer.create(10_000)) {
            assertThat(b.byteSize()).isEqualTo(10_000);
            assertThat(b.segment().byteSize()).isEqualTo(10_000);
            assertThat(b.segment().toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
            assertThat(b.name()).isEmpty();
            assertThat(b.asByteBuffer().capacity()).isEqualTo(10_000);
        }
    }

    @Test
    void shouldOpenANamedBufferByNameAndSeeTheSameBytes() {
        String name = uniqueName();
        try (ProcessSharedBuffer created = ProcessSharedBuffer.create(name, 4096);
             ProcessSharedBuffer opened = ProcessSharedBuffer.open(name)) {
            created.segment().set(ValueLayout.JAVA_INT, 100, 0x1234_5678);

            assertThat(opened.segment().get(ValueLayout.JAVA_INT, 100)).isEqualTo(0x1234_5678);
            assertThat(opened.name()).contains(name);
            assertThat(Files.exists(Path.of("/dev/shm", name))).isTrue();
        } finally {
            assertThat(ProcessSharedBuffer.unlink(name)).isTrue();
        }
        assertThat(Files.exists(Path.of("/dev/shm", name))).isFalse();
        assertThat(ProcessSharedBuffer.unlink(name)).isFalse();
    }

    @Test
    void shouldRefuseATakenNameAndAnObjectThatIsNoBuffer() throws Exception {
        String name = uniqueName();
        try (ProcessSharedBuffer ignored = ProcessSharedBuffer.create(name, 64)) {
            assertThatThrownBy(() -> ProcessSharedBuffer.create(name, 64))
                    .isInstanceOf(KnittingException.class).hasMessageContaining("already taken");
        } finally {
            ProcessSharedBuffer.unlink(name);
        }
        String foreign = uniqueName();
        Files.write(Path.of("/dev/shm", foreign), new byte[8192]);
        try {
            assertThatThrownBy(() -> ProcessSharedBuffer.open(foreign))
                    .isInstanceOf(KnittingException.class).hasMessageContaining("not a ProcessSharedBuffer");
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm", foreign));
        }
    }

    @Test
    void shouldFailAtCreationWhenTheBufferExceedsTheFreeSpaceOfItsTmpfs() throws Exception {
        long free = Files.getFileStore(Path.of("/dev/shm")).getUsableSpace();
        String name = uniqueName();

        assertThatThrownBy(() -> ProcessSharedBuffer.create(name, free + (1L << 30)))
                .isInstanceOf(KnittingException.class).hasMessageContaining("cannot reserve");
        assertThat(Files.exists(Path.of("/dev/shm", name))).isFalse();
    }

    @Test
    void shouldRejectBadSizesAndNamesAtOnce() {
        assertThatThrownBy(() -> ProcessSharedBuffer.create(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size=0");
        assertThatThrownBy(() -> ProcessSharedBuffer.create("a/b", 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/'");
        assertThatThrownBy(() -> ProcessSharedBuffer.open(uniqueName())).isInstanceOf(KnittingException.class);
    }

    @Test
    void shouldMakeSlicesViewsWhoseCloseLeavesTheBufferOpen() {
        ProcessSharedBuffer b = ProcessSharedBuffer.create(100);
        ProcessSharedBuffer slice = b.slice(50, 50);
        ProcessSharedBuffer inner = slice.slice(10, 5);
        inner.segment().fill((byte) 1);

        assertThat(b.segment().get(ValueLayout.JAVA_BYTE, 60)).isEqualTo((byte) 1);
        assertThatThrownBy(() -> b.slice(90, 20)).isInstanceOf(IndexOutOfBoundsException.class);
        slice.close();
        assertThatThrownBy(slice::segment).isInstanceOf(IllegalStateException.class);
        assertThat(b.isOpen()).isTrue();

        var segment = inner.segment();
        b.close();
        b.close();
        assertThatThrownBy(() -> segment.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThat(inner.isOpen()).isFalse();
    }
}
