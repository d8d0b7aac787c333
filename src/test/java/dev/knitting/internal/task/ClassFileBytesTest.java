package dev.knitting.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** {@link ClassFileBytes} reads what {@code getResourceAsStream} reads, wherever the class came from. */
class ClassFileBytesTest {
    @Test
    void aClassFromADirectoryOfTheClassPathIsReadFromThere() throws IOException {
        assertThat(ClassFileBytes.of(TaskTable.class)).isNotEmpty().isEqualTo(viaResource(TaskTable.class));
    }

    @Test
    void aClassFromAJarIsReadFromTheJar() throws IOException {
        assertThat(Assertions.class.getProtectionDomain().getCodeSource().getLocation().getPath()).endsWith(".jar");
        assertThat(ClassFileBytes.of(Assertions.class)).isNotEmpty().isEqualTo(viaResource(Assertions.class));
    }

    @Test
    void aClassOfTheRuntimeImageIsReadThroughItsResource() throws IOException {
        assertThat(ClassFileBytes.of(String.class)).isNotEmpty().isEqualTo(viaResource(String.class));
    }

    @Test
    void aGeneratedClassHasNoClassFile() throws IOException {
        Supplier<String> lambda = () -> "generated";
        assertThat(ClassFileBytes.of(lambda.getClass())).isNull();
    }

    private static byte[] viaResource(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }
}
