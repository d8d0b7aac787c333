package dev.knitting.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A process's memory as the kernel accounts it ({@code /proc/<pid>/smaps_rollup}): USS, the pages
 * only it maps (private clean + private dirty), what freeing the process gives back; and PSS, its
 * pages with each shared page divided among the processes that map it. RSS counts every shared
 * page (the JDK's files, the CDS or AOT archive) in full in every JVM, so it overstates what each
 * added worker costs.
 */
final class WorkerMemory {
    private WorkerMemory() {
    }

    /** @return {USS bytes, PSS bytes} of {@code pid} */
    static long[] of(long pid) {
        long uss = 0;
        long pss = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                String[] words = line.trim().split("\\s+");
                if (words.length < 2) {
                    continue;
                }
                switch (words[0]) {
                    case "Private_Clean:", "Private_Dirty:" -> uss += Long.parseLong(words[1]) * 1024;
                    case "Pss:" -> pss = Long.parseLong(words[1]) * 1024;
                    default -> { }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the memory of pid " + pid, e);
        }
        return new long[] {uss, pss};
    }

    /** @return the median of figure {@code index} over the processes */
    static long median(List<long[]> figures, int index) {
        long[] values = figures.stream().mapToLong(f -> f[index]).sorted().toArray();
        return values[values.length / 2];
    }
}
