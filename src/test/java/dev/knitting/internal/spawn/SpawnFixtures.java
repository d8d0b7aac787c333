package dev.knitting.internal.spawn;

import dev.knitting.IdlePolicy;
import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.worker.WorkerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Boot data and waiting helpers shared by the spawn tests and their child mains. */
final class SpawnFixtures {
    private SpawnFixtures() {
    }

    /** Boot data of worker 0 of this process, with two tasks. */
    static BootData boot(SharedMemoryMode mode, String shmName, long laneBytes) {
        return new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(0, List.of("com.example.Tasks#square", "com.example.Tasks::neg(I)I"),
                        0x0123_4567_89ab_cdefL, Set.of("com.example.model"), 8L << 20, IdlePolicy.BALANCED, "", ""),
                laneBytes, mode, mode == SharedMemoryMode.NAMED ? shmName : "", WorkerEnv.currentPoolDepth() + 1,
                ProcessHandle.current().pid(), HostWatch.currentStartMillis(), false);
    }

    /** Waits until {@code condition} holds; the test's {@code @Timeout} bounds the wait. */
    static void await(String what, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the java launcher and class path of this test JVM, to start a test main directly */
    static List<String> javaCommand(Class<?> main, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(WorkerCommand.defaultJavaLauncher(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }
}
