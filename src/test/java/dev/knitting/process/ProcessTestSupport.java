package dev.knitting.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Waiting, process and shared-memory helpers of the process-worker tests. Every wait polls a
 * condition until a generous deadline (the machine is small and busy; a worker JVM takes up to a
 * second or more to start); none sleeps for synchronisation.
 */
final class ProcessTestSupport {
    /** How long a condition may take before the test fails with its description. */
    static final Duration DEADLINE = Duration.ofSeconds(60);
    /** The entry point every process worker runs. */
    static final String WORKER_MAIN = "dev.knitting.internal.worker.ProcessWorkerMain";
    private static final Path SHM = Path.of("/dev/shm");

    private ProcessTestSupport() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code deadline}. */
    static void await(String what, Duration deadline, BooleanSupplier condition, Supplier<?> state) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("gave up waiting for " + what + " after " + deadline + "; state: "
                        + state.get());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting for " + what + "; state: " + state.get());
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /** {@link #await(String, Duration, BooleanSupplier, Supplier)} with the default deadline. */
    static void await(String what, BooleanSupplier condition, Supplier<?> state) {
        await(what, DEADLINE, condition, state);
    }

    /**
     * Waits for {@code future} to end exceptionally and returns its exception, unwrapped from
     * {@link CompletionException}; fails if it ends with a value.
     */
    static Throwable failureOf(CompletableFuture<?> future) {
        try {
            Object value = future.join();
            throw new AssertionError("expected the call to fail, but it completed with " + value);
        } catch (CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    /** @return whether no live process has this pid any more */
    static boolean gone(long pid) {
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    /** @return the live descendants of this JVM that run the process-worker main class */
    static List<ProcessHandle> workerDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(ProcessTestSupport::runsWorkerMain).toList();
    }

    private static boolean runsWorkerMain(ProcessHandle process) {
        Optional<String[]> arguments = process.info().arguments();
        return arguments.isPresent() && Stream.of(arguments.get()).anyMatch(a -> a.endsWith(WORKER_MAIN));
    }

    /** @return the names under /dev/shm that start with {@code prefix} */
    static List<String> shmNames(String prefix) {
        if (!Files.isDirectory(SHM)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(SHM)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the java launcher of this JVM */
    static String javaLauncher() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** @return the file's text, or "" if it does not exist yet */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a name prefix no other test or run uses: 8 characters of [A-Za-z0-9] */
    static String uniquePrefix(String start) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder prefix = new StringBuilder(start);
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        while (prefix.length() < 8) {
            prefix.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return prefix.toString();
    }
}
