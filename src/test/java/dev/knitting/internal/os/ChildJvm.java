package dev.knitting.internal.os;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a test main class in a child JVM on this test's class path, output captured to files. */
final class ChildJvm implements AutoCloseable {
    final Process process;
    final Path stdout;
    final Path stderr;

    private ChildJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param jvmArgs e.g. {@code --enable-native-access=ALL-UNNAMED}, or none
     * @param stdin the child's fd 0, or {@code null} to keep the default pipe
     */
    static ChildJvm start(Path dir, Class<?> main, List<String> jvmArgs, File stdin) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        Path out = dir.resolve(main.getSimpleName() + ".out");
        Path err = dir.resolve(main.getSimpleName() + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin != null) {
            builder.redirectInput(stdin);
        }
        return new ChildJvm(builder.start(), out, err);
    }

    /** Waits for the exit (generously: child JVMs start slowly on a busy machine). */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            throw new AssertionError("child JVM did not exit; stderr: " + stderr());
        }
        return process.exitValue();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
