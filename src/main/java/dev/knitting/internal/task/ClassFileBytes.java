package dev.knitting.internal.task;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;

/**
 * Reads the class file a class was loaded from. When its code source is a local jar or directory
 * (an application's class path) the file is read from there directly, as the class loader read it:
 * {@code getResourceAsStream} would instead build a {@code jar:} URL connection, a dozen JDK classes
 * and a spun method handle that a cold JVM loads for nothing else. A multi-release jar answers with
 * the entry for this JDK's version, as the class loader does. Anything else (a {@code jrt:} or
 * nested-jar location, a custom loader) goes through {@code getResourceAsStream}.
 */
final class ClassFileBytes {
    private ClassFileBytes() {
    }

    /**
     * @return the bytes of {@code type}'s class file, or {@code null} when there is none to read (a
     *     generated class)
     * @throws IOException when reading it fails
     */
    static byte[] of(Class<?> type) throws IOException {
        String entry = type.getName().replace('.', '/') + ".class";
        Path source = localSource(type);
        if (source != null) {
            if (Files.isDirectory(source)) {
                Path file = source.resolve(entry);
                if (Files.isRegularFile(file)) {
                    return Files.readAllBytes(file);
                }
            } else if (Files.isRegularFile(source)) {
                try (JarFile jar = new JarFile(source.toFile(), false, ZipFile.OPEN_READ, Runtime.version())) {
                    JarEntry found = jar.getJarEntry(entry);
                    if (found != null) {
                        try (InputStream in = jar.getInputStream(found)) {
                            return in.readAllBytes();
                        }
                    }
                }
            }
        }
        try (InputStream in = type.getResourceAsStream("/" + entry)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** @return the local jar or directory {@code type} was loaded from, or {@code null} */
    private static Path localSource(Class<?> type) {
        try {
            ProtectionDomain domain = type.getProtectionDomain();
            CodeSource code = domain == null ? null : domain.getCodeSource();
            URL location = code == null ? null : code.getLocation();
            if (location == null || !"file".equals(location.getProtocol())) {
                return null;
            }
            return Path.of(location.toURI());
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
