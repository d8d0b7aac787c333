package dev.knitting.bench.chaos;

import dev.knitting.SharedMemoryMode;
import dev.knitting.bench.ChildJvms;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * G12, host side: rounds of a child host JVM ({@link ChaosHostMain}) whose PROCESS pool is busy,
 * killed with SIGKILL 0-30 ms after its calls flow. Its workers must be gone within 100 ms of its
 * death, and no /dev/shm name of its pool may remain. Modes alternate INHERIT, NAMED.
 *
 * <p>Death and exit are observed by reading {@code /proc/<pid>/stat} about every 0.1 ms (a zombie
 * has exited); the host's death is the first observation of it exited, so the figure is from the
 * host's death to the last worker's, as the spec words it. Each round's figures go to raw output.
 */
final class HostKillRounds {
    private static final long GOAL_NANOS = 100_000_000;
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int rounds;
    private final Path dir;
    private final PrintStream raw;
    final List<Double> orphanNanos = new ArrayList<>();
    int workersAliveAfterGoal;
    int leakedNames;
    final List<String> errors = new ArrayList<>();

    HostKillRounds(int rounds, Path dir, PrintStream raw) {
        this.rounds = rounds;
        this.dir = dir;
        this.raw = raw;
    }

    void run() {
        for (int round = 0; round < rounds; round++) {
            SharedMemoryMode mode = round % 2 == 0 ? SharedMemoryMode.INHERIT : SharedMemoryMode.NAMED;
            try {
                round(round, mode);
            } catch (IOException | RuntimeException e) {
                errors.add("round " + round + ": " + e);
                raw.println("G12 host round " + round + " " + mode + " failed: " + e);
            }
            if (round % 10 == 9) {
                System.err.println("G12 host kills: " + (round + 1) + "/" + rounds);
            }
        }
    }

    private void round(int round, SharedMemoryMode mode) throws IOException {
        String prefix = "ch" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36)
                .substring(0, 6);
        Path err = dir.resolve("g12-host-" + round + ".err");
        Process host = ChildJvms.start(new ProcessBuilder(ChildJvms.command(
                List.of("--enable-native-access=ALL-UNNAMED"), null, ChaosHostMain.class.getName(), mode.name(),
                prefix)).redirectError(err.toFile()));
        List<Long> workers = new ArrayList<>();
        try {
            BufferedReader out = host.inputReader();
            String line = out.readLine();
            if (line == null || !line.startsWith("workers ")) {
                throw new IOException("host said " + line + ", stderr in " + err);
            }
            for (String pid : line.substring("workers ".length()).split(" ")) {
                workers.add(Long.valueOf(pid));
            }
            if (!"loaded".equals(out.readLine())) {
                throw new IOException("host did not start its load, stderr in " + err);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(31)));
            long killed = System.nanoTime();
            host.destroyForcibly();
            long hostDead = -1;
            long[] gone = new long[workers.size()];
            int left = workers.size();
            while (hostDead < 0 || left > 0) {
                long now = System.nanoTime();
                if (now - killed > GIVE_UP_NANOS) {
                    break;
                }
                if (hostDead < 0 && ProcState.exited(host.pid())) {
                    hostDead = now;
                }
                for (int i = 0; i < gone.length; i++) {
                    if (gone[i] == 0 && ProcState.exited(workers.get(i))) {
                        gone[i] = now;
                        left--;
                    }
                }
                LockSupport.parkNanos(50_000);
            }
            long last = 0;
            int late = 0;
            for (long g : gone) {
                if (g == 0 || g - hostDead > GOAL_NANOS) {
                    late++;
                }
                last = g == 0 ? Long.MAX_VALUE : Math.max(last, g);
            }
            workersAliveAfterGoal += late;
            if (hostDead > 0 && last != Long.MAX_VALUE) {
                orphanNanos.add((double) Math.max(0, last - hostDead));
            }
            List<String> names = ProcState.shmNames(prefix);
            leakedNames += names.size();
            ProcState.unlinkShm(names);
            List<String> after = new ArrayList<>();
            for (long g : gone) {
                after.add(g == 0 ? "never" : String.format(java.util.Locale.ROOT, "%.1f", (g - hostDead) / 1e6));
            }
            raw.printf(java.util.Locale.ROOT, "G12 host round %d %s: host dead %.1f ms after the kill, workers gone %s"
                    + " ms after it; late %d; leaked names %s%n", round, mode, (hostDead - killed) / 1e6, after, late,
                    names);
        } finally {
            ChildJvms.kill(host);
            for (long pid : workers) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    List<ChaosLine> lines() {
        String what = "kill -9 host mid-call x" + orphanNanos.size() + " (INHERIT+NAMED), host death to last worker gone";
        List<ChaosLine> out = new ArrayList<>();
        if (orphanNanos.isEmpty()) {
            out.add(ChaosLine.error("G12", what + " max", "100ms", errors.isEmpty() ? "no round" : errors.get(0)));
        } else {
            out.add(ChaosLine.within("G12", what + " max", ChaosLine.max(orphanNanos), GOAL_NANOS));
            out.add(ChaosLine.within("G12", what + " p99", ChaosLine.percentile(orphanNanos, 99), GOAL_NANOS));
        }
        out.add(ChaosLine.atMost("G12", "kill -9 host mid-call, worker processes alive 100ms after host death",
                workersAliveAfterGoal, 0));
        out.add(ChaosLine.atMost("G12", "kill -9 host mid-call, leaked /dev/shm names", leakedNames, 0));
        if (!errors.isEmpty()) {
            out.add(ChaosLine.atMost("G12", "kill -9 host mid-call, rounds that failed to run", errors.size(), 0));
        }
        return out;
    }
}
