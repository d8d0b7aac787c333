package dev.knitting.bench.chaos;

import dev.knitting.Knitting;
import dev.knitting.KnittingException;
import dev.knitting.Pool;
import dev.knitting.SharedMemoryMode;
import dev.knitting.WorkerRuntime;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * G12, worker side: rounds of SIGKILL to the one worker of a PROCESS pool in this JVM while it runs
 * a 3 s call and three more calls wait behind it. Every call must end (a value, once resent to the
 * replacement, or a typed {@link KnittingException}); the failures must come within 100 ms of the
 * worker's death, observed in {@code /proc} about every 0.1 ms. Pools: one INHERIT, one NAMED,
 * alternating; no /dev/shm name of theirs may remain.
 */
final class WorkerKillRounds {
    private static final long GOAL_NANOS = 100_000_000;
    private static final long GIVE_UP_MILLIS = 60_000;

    private final int rounds;
    private final PrintStream raw;
    final List<Double> failNanos = new ArrayList<>();
    int notEnded;
    int untyped;
    int leakedNames;
    final List<String> errors = new ArrayList<>();

    WorkerKillRounds(int rounds, PrintStream raw) {
        this.rounds = rounds;
        this.raw = raw;
    }

    void run() {
        String[] prefixes = {prefix(), prefix()};
        Pool[] pools = new Pool[2];
        try {
            for (int i = 0; i < 2; i++) {
                pools[i] = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1)
                        .sharedMemory(i == 0 ? SharedMemoryMode.INHERIT : SharedMemoryMode.NAMED)
                        .sharedMemoryNamePrefix(prefixes[i]).start(ChaosTasks.class);
            }
            for (int round = 0; round < rounds; round++) {
                try {
                    round(round, pools[round % 2]);
                } catch (RuntimeException e) {
                    errors.add("round " + round + ": " + e);
                    raw.println("G12 worker round " + round + " failed: " + e);
                }
                if (round % 10 == 9) {
                    System.err.println("G12 worker kills: " + (round + 1) + "/" + rounds);
                }
            }
        } finally {
            for (Pool p : pools) {
                if (p != null) {
                    try {
                        p.shutdown().get(60, TimeUnit.SECONDS); // every call has ended: a graceful stop
                    } catch (Exception e) {
                        p.shutdownNow();
                    }
                }
            }
        }
        for (String prefix : prefixes) {
            List<String> names = ProcState.shmNames(prefix);
            leakedNames += names.size();
            ProcState.unlinkShm(names);
        }
    }

    private static String prefix() {
        return "cw" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36).substring(0, 6);
    }

    private void round(int round, Pool pool) {
        long pid = pool.call(ChaosTasks.PID, 0).orTimeout(GIVE_UP_MILLIS, TimeUnit.MILLISECONDS).join();
        List<CompletableFuture<?>> calls = new ArrayList<>();
        calls.add(pool.call(ChaosTasks.SLEEP, 3_000));
        for (int i = 0; i < 3; i++) {
            calls.add(pool.call(ChaosTasks.INC, i));
        }
        long[] ended = new long[calls.size()];
        Throwable[] failure = new Throwable[calls.size()];
        List<CompletableFuture<?>> observed = new ArrayList<>(); // complete once their action has run
        for (int i = 0; i < calls.size(); i++) {
            int index = i;
            observed.add(calls.get(i).whenComplete((value, error) -> {
                ended[index] = System.nanoTime();
                failure[index] = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
            }));
        }
        // The worker takes the 3 s call within microseconds; 30 ms leaves no doubt it runs it.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(30));
        long killed = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long dead = killed;
        while (!ProcState.exited(pid) && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(10)) {
            LockSupport.parkNanos(50_000);
        }
        dead = System.nanoTime();
        try {
            CompletableFuture.allOf(observed.toArray(CompletableFuture[]::new))
                    .orTimeout(GIVE_UP_MILLIS, TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
        } catch (CompletionException ignored) {
            // counted below
        }
        StringBuilder note = new StringBuilder();
        for (int i = 0; i < calls.size(); i++) {
            if (!observed.get(i).isDone()) {
                notEnded++;
                note.append(" call").append(i).append("=not-ended");
            } else if (failure[i] == null) {
                note.append(" call").append(i).append("=value");
            } else if (failure[i] instanceof KnittingException) {
                failNanos.add((double) Math.max(0, ended[i] - dead));
                note.append(String.format(" call%d=%s@%.1fms", i, failure[i].getClass().getSimpleName(),
                        (ended[i] - dead) / 1e6));
            } else {
                untyped++;
                note.append(" call").append(i).append("=untyped:").append(failure[i]);
            }
        }
        raw.printf("G12 worker round %d pid %d: dead %.1f ms after the kill;%s%n", round, pid, (dead - killed) / 1e6,
                note);
    }

    List<ChaosLine> lines() {
        List<ChaosLine> out = new ArrayList<>();
        String what = "kill -9 worker mid-call x" + rounds + " (INHERIT+NAMED), worker death to pending calls failed";
        if (failNanos.isEmpty()) {
            out.add(ChaosLine.error("G12", what + " max", "100ms", errors.isEmpty() ? "no call failed" : errors.get(0)));
        } else {
            out.add(ChaosLine.within("G12", what + " max", ChaosLine.max(failNanos), GOAL_NANOS));
        }
        out.add(ChaosLine.atMost("G12", "kill -9 worker mid-call, calls not ended or failed untyped",
                notEnded + untyped, 0));
        out.add(ChaosLine.atMost("G12", "kill -9 worker mid-call, leaked /dev/shm names", leakedNames, 0));
        if (!errors.isEmpty()) {
            out.add(ChaosLine.atMost("G12", "kill -9 worker mid-call, rounds that failed to run", errors.size(), 0));
        }
        return out;
    }
}
