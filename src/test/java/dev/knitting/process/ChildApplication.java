package dev.knitting.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.knitting.Knitting;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Small applications written, compiled and run in their own JVM by the launch tests: where
 * Knitting's classes are, jars with manifests, and a run that captures both outputs to files.
 */
final class ChildApplication {
    private ChildApplication() {
    }

    /** What a child JVM printed, and how it exited. */
    record Result(int exitCode, String stdout, String stderr) {
    }

    /** @return the folder Knitting's main classes (and its module-info) were compiled to */
    static Path knittingClasses() throws URISyntaxException {
        Path classes = Path.of(Knitting.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("module-info.class")).as("Knitting's module descriptor").exists();
        return classes;
    }

    /** Writes {@code sources} (relative path -> text) under {@code dir}; returns the paths written. */
    static List<String> write(Path dir, Map<String, String> sources) throws IOException {
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = dir.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
        }
        return sources.keySet().stream().map(name -> dir.resolve(name).toString()).sorted().toList();
    }

    /** Packs {@code classes} into {@code jar} with the given main attributes (Main-Class, Class-Path...). */
    static Path jar(Path jar, Path classes, Map<String, String> attributes) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((name, value) -> manifest.getMainAttributes().putValue(name, value));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Runs {@code command} in {@code dir} with stdin closed; fails the test if it does not exit within two minutes. */
    static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "app", ".out");
        Path err = Files.createTempFile(dir, "app", ".err");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("the application did not exit; stdout:\n" + ProcessTestSupport.read(out)
                        + "\nstderr:\n" + ProcessTestSupport.read(err));
            }
            return new Result(process.exitValue(), ProcessTestSupport.read(out), ProcessTestSupport.read(err));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
