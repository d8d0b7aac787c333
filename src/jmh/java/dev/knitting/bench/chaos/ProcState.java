package dev.knitting.bench.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What {@code /proc} and {@code /dev/shm} say about processes, read without native code. */
final class ProcState {
    private static final Path SHM = Path.of("/dev/shm");

    private ProcState() {
    }

    /** @return whether {@code pid} runs no more: no such process, or a zombie waiting to be reaped */
    static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (IOException noSuchProcess) {
            return true;
        }
    }

    /** @return the number of open fds of this process */
    static int fdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the directory stream's own fd
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the number of lines of /proc/self/maps: this process's mappings */
    static int mappingCount() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return (int) lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return this process's resident set size in bytes (VmRSS), -1 if unknown */
    static long rssBytes() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return the /dev/shm names that start with {@code prefix} */
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

    /** Removes leaked names after they were counted, so that one run does not pollute the next. */
    static void unlinkShm(List<String> names) {
        for (String n : names) {
            try {
                Files.deleteIfExists(SHM.resolve(n));
            } catch (IOException e) {
                System.err.println("chaos: cannot remove /dev/shm/" + n + ": " + e);
            }
        }
    }

    /** @return the live child processes of this JVM that run a knitting process worker */
    static List<ProcessHandle> workerChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(a -> Stream.of(a)
                        .anyMatch(s -> s.endsWith("ProcessWorkerMain"))).orElse(false))
                .toList();
    }
}
