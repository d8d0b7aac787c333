package dev.knitting.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker AOT cache's training ({@link AotTrainingMain}) goes through everything a confined
 * process worker's boot and first call load: a worker started with the trained cache loads no
 * class of Knitting from the jar (each one would be read, parsed and verified in every worker's
 * boot), only the user's task classes. Read from the class-loading log of a real worker of a host
 * running from jars, as an application ships.
 */
class ProcessWorkerAotCoverageTest {
    private static final long CHILD_SECONDS = 240;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 900, threadMode = SEPARATE_THREAD)
    void aWorkerBootedFromTheTrainedCacheLoadsNoKnittingClassFromTheJar() throws Exception {
        Path jar = dir.resolve("app.jar");
        pack(jar, Path.of("target", "classes"), Path.of("target", "test-classes"));
        Path cache = Files.createDirectories(dir.resolve("aot"));
        Path logs = Files.createDirectories(dir.resolve("logs"));

        runChild(jar, cache, logs); // its worker starts the training
        awaitCacheFile(cache);
        clear(logs);
        runChild(jar, cache, logs);

        List<String> worker = workerLog(logs);
        assertThat(worker).as("the worker used the cache").anyMatch(l -> l.contains("source: shared objects file"));
        assertThat(worker).as("Knitting classes the worker loaded from the jar, not from its AOT cache")
                .filteredOn(l -> l.contains(" dev.knitting.") && l.contains("source: file:"))
                .allMatch(l -> l.contains(" dev.knitting.testtasks."));
    }

    private void runChild(Path jar, Path cache, Path logs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dknitting.workerAotCache=" + cache, "-cp", jar.toString(), ProcessWorkerColdChild.class.getName(),
                logs.toString())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(child.waitFor(CHILD_SECONDS, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
            String output = Files.readString(out);
            assertThat(child.exitValue()).as("exit status; output:%n%s", output).isZero();
            assertThat(output).contains("answer: 144");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    /** @return the log of the JVM that ran the worker's main (the training's JVMs log beside it) */
    private static List<String> workerLog(Path logs) throws IOException {
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                if (lines.stream().anyMatch(l -> l.contains(" " + ProcessWorkerMain.class.getName() + " source:"))) {
                    return lines;
                }
            }
        }
        throw new AssertionError("no worker class-loading log in " + logs);
    }

    private static void awaitCacheFile(Path cache) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (true) {
            try (Stream<Path> files = Files.list(cache)) {
                if (files.anyMatch(f -> f.getFileName().toString().endsWith(".aot"))) {
                    return;
                }
            }
            assertThat(System.nanoTime() - deadline).as("no AOT cache in " + cache + " yet").isNegative();
            Thread.sleep(100);
        }
    }

    private static void clear(Path logs) throws IOException {
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
    }

    /** One jar of the class folders, so that the workers' command line can have a cache. */
    private static void pack(Path jar, Path... folders) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Path folder : folders) {
                Path root = folder.toAbsolutePath();
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = root.relativize(file).toString().replace('\\', '/');
                        if (name.equals("module-info.class") || name.startsWith("META-INF/")) {
                            continue;
                        }
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
            }
        }
    }
}
