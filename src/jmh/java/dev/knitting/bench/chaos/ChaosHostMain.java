package dev.knitting.bench.chaos;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.SharedMemoryMode;
import dev.knitting.WorkerRuntime;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host JVM of G12's host rounds: starts a two-worker PROCESS pool ({@code args[0]}: INHERIT or
 * NAMED, {@code args[1]}: the name prefix), prints {@code workers <pid> <pid>}, keeps two threads
 * calling (sleeps of 1-20 ms and tiny calls, several in flight) and prints {@code loaded} once
 * calls flow, then runs until it is killed or its stdin ends.
 */
public final class ChaosHostMain {
    private ChaosHostMain() {
    }

    /** @param args shared-memory mode and name prefix */
    public static void main(String[] args) throws Exception {
        SharedMemoryMode mode = SharedMemoryMode.valueOf(args[0]);
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2).sharedMemory(mode)
                .sharedMemoryNamePrefix(args[1]).start(ChaosTasks.class)) {
            Set<Long> pids = new TreeSet<>();
            for (int i = 0; pids.size() < 2 && i < 100; i++) { // round robin: calls alternate workers
                pids.add(pool.call(ChaosTasks.PID, i).join());
            }
            StringBuilder line = new StringBuilder("workers");
            pids.forEach(pid -> line.append(' ').append(pid));
            System.out.println(line);
            System.out.flush();
            AtomicLong calls = new AtomicLong();
            for (int t = 0; t < 2; t++) {
                Thread.ofPlatform().daemon().start(() -> load(pool, calls));
            }
            while (calls.get() < 20) {
                Thread.onSpinWait();
            }
            System.out.println("loaded");
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until killed, or until stdin ends
            }
        }
    }

    private static void load(Pool pool, AtomicLong calls) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            CompletableFuture<?>[] window = new CompletableFuture<?>[4];
            for (int i = 0; i < window.length; i++) {
                window[i] = random.nextBoolean() ? pool.call(ChaosTasks.SLEEP, 1 + random.nextInt(20))
                        : pool.call(ChaosTasks.INC, i);
            }
            CompletableFuture.allOf(window).join();
            calls.addAndGet(window.length);
        }
    }
}
