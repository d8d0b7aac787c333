package dev.knitting.bench.chaos;


import dev.knitting.Knitting;
import dev.knitting.KnittingException;
import dev.knitting.Pool;
import dev.knitting.SharedMemoryMode;
import dev.knitting.Task;
import dev.knitting.WorkerRuntime;
import dev.knitting.bench.Units;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * G13: a PROCESS pool of two INHERIT workers whose tasks turn hostile for the scenario's duration:
 * one caller asks a worker every 300 ms to scribble random bytes over its whole lane for 500 ms
 * ({@link ChaosTasks#SCRIBBLE}), the others ask for hash-flooding sets (20,000 strings with one hash
 * code, 20,000 records with hash code 0) and tiny calls, every call with its own timeout
 * ({@link Task#timeout}, exported in {@link ChaosTasks}: 200 ms for tiny calls, 1 s for floods). Each call must end (value or typed
 * exception) within its timeout + 100 ms; a caller waits at most timeout + 5 s for it and then
 * counts it as not ended and moves on, so the scenario cannot hang on one call. Before and after:
 * heap used after {@code System.gc()}, fds and mappings of this JVM, and 1,000 plain calls that must
 * all answer.
 */
final class HostileWorkerScenario {
    private static final long SLACK_NANOS = 100_000_000;
    private static final Duration TINY_TIMEOUT = Duration.ofMillis(200);
    private static final Duration FLOOD_TIMEOUT = Duration.ofSeconds(1);
    private static final int FLOOD = 20_000;
    private static final int AFTER_CALLS = 1_000;

    private static final Task<Integer, Integer> INC = ChaosTasks.INC_200MS;
    private static final Task<Integer, Long> SCRIBBLE = ChaosTasks.SCRIBBLE_200MS;
    private static final Task<Integer, ?> FLOOD_STRINGS = ChaosTasks.FLOOD_STRINGS_1S;
    private static final Task<Integer, ?> FLOOD_RECORDS = ChaosTasks.FLOOD_RECORDS_1S;

    private final long durationMillis;
    private final PrintStream raw;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong values = new AtomicLong();
    private final AtomicLong typed = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong notEnded = new AtomicLong();
    private final AtomicLong untyped = new AtomicLong();
    private final AtomicLong worstOvershoot = new AtomicLong();
    private long heapBefore;
    private long heapAfter;
    private int fdsBefore;
    private int fdsAfter;
    private int mapsBefore;
    private int mapsAfter;
    private int servedAfter = -1;
    private String afterError;

    HostileWorkerScenario(long durationMillis, PrintStream raw) {
        this.durationMillis = durationMillis;
        this.raw = raw;
    }

    void run() throws InterruptedException {
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2)
                .sharedMemory(SharedMemoryMode.INHERIT).start(ChaosTasks.class)) {
            for (int i = 0; i < 200; i++) { // warm-up: every path once, both workers
                pool.call(ChaosTasks.INC, i).join();
                if (i % 20 == 0) { // a flooding set may be refused (PayloadException): a typed end is an end
                    endTyped(pool.call(ChaosTasks.FLOOD_STRINGS, 100));
                    endTyped(pool.call(ChaosTasks.FLOOD_RECORDS, 100));
                }
            }
            measure(true);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMillis);
            List<Thread> callers = new ArrayList<>();
            callers.add(Thread.ofPlatform().name("g13-scribble").start(() -> scribbler(pool, end)));
            for (int t = 0; t < 3; t++) {
                callers.add(Thread.ofPlatform().name("g13-caller-" + t).start(() -> caller(pool, end)));
            }
            for (Thread t : callers) {
                t.join();
            }
            Thread.sleep(600); // the last scribbling thread in a worker runs 500 ms past its call
            servedAfter = serveNormally(pool);
            measure(false);
            pool.shutdownNow();
        }
    }

    /** Waits for a warm-up call to end with a value or a library exception; anything else fails the scenario. */
    private static void endTyped(CompletableFuture<?> call) {
        try {
            call.join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof KnittingException)) {
                throw e;
            }
        }
    }

    private void scribbler(Pool pool, long end) {
        while (System.nanoTime() - end < 0) {
            timed(pool, "SCRIBBLE_200MS", SCRIBBLE, 500, TINY_TIMEOUT);
            sleepMillis(300);
        }
    }

    private void caller(Pool pool, long end) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() - end < 0) {
            int pick = random.nextInt(10);
            if (pick < 7) {
                timed(pool, "INC_200MS", INC, random.nextInt(1000), TINY_TIMEOUT);
            } else if (pick < 9) {
                timed(pool, "FLOOD_STRINGS_1S", FLOOD_STRINGS, FLOOD, FLOOD_TIMEOUT);
            } else {
                timed(pool, "FLOOD_RECORDS_1S", FLOOD_RECORDS, FLOOD, FLOOD_TIMEOUT);
            }
        }
    }

    private <R> void timed(Pool pool, String name, Task<Integer, R> task, int arg, Duration timeout) {
        calls.incrementAndGet();
        long start = System.nanoTime();
        AtomicLong ended = new AtomicLong();
        CompletableFuture<R> call;
        try {
            call = pool.call(task, arg);
        } catch (KnittingException e) {
            typed.incrementAndGet();
            return;
        } catch (RuntimeException e) {
            if (untyped.incrementAndGet() <= 10) {
                raw.println("G13 untyped failure of call: " + e);
            }
            return;
        }
        call.whenComplete((v, e) -> ended.set(System.nanoTime()));
        try {
            call.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            values.incrementAndGet();
        } catch (TimeoutException e) {
            notEnded.incrementAndGet();
            late.incrementAndGet();
            raw.println("G13 a call of " + name + "(" + arg + ") did not end within its timeout + 5 s");
            call.cancel(true);
            return;
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof KnittingException) {
                typed.incrementAndGet();
            } else {
                if (untyped.incrementAndGet() <= 10) {
                    raw.println("G13 untyped failure: " + e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.CancellationException e) {
            typed.incrementAndGet();
        }
        long took = (ended.get() != 0 ? ended.get() : System.nanoTime()) - start;
        long overshoot = took - timeout.toNanos();
        worstOvershoot.accumulateAndGet(overshoot, Math::max);
        if (overshoot > SLACK_NANOS && late.incrementAndGet() <= 20) {
            raw.printf(Locale.ROOT, "G13 late: %s(%d) ended after %s, its timeout is %s%n", name, arg,
                    Units.nanos(took), Units.nanos(timeout.toNanos()));
        }
    }

    private int serveNormally(Pool pool) {
        int ok = 0;
        try {
            for (int i = 0; i < AFTER_CALLS; i++) {
                if (pool.call(ChaosTasks.INC, i).get(30, TimeUnit.SECONDS) == i + 1) {
                    ok++;
                }
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            afterError = String.valueOf(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ok;
    }

    private void measure(boolean before) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        if (before) {
            heapBefore = heap;
            fdsBefore = ProcState.fdCount();
            mapsBefore = ProcState.mappingCount();
        } else {
            heapAfter = heap;
            fdsAfter = ProcState.fdCount();
            mapsAfter = ProcState.mappingCount();
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<ChaosLine> lines() {
        String seconds = durationMillis / 1000 + "s";
        List<ChaosLine> out = new ArrayList<>();
        out.add(ChaosLine.atMost("G13", "hostile worker " + seconds + " (scribbled lane, flooding sets), calls not"
                + " ended within own timeout+100ms, of " + calls.get(), late.get(), 0));
        out.add(ChaosLine.within("G13", "hostile worker " + seconds + ", latest call end past its own timeout max",
                Math.max(0, worstOvershoot.get()), SLACK_NANOS));
        out.add(ChaosLine.atMost("G13", "hostile worker " + seconds + ", calls failed untyped", untyped.get(), 0));
        long heapDelta = heapAfter - heapBefore;
        boolean flat = heapDelta <= heapBefore / 10 + (8 << 20) && fdsAfter - fdsBefore <= 2
                && mapsAfter - mapsBefore <= 16;
        out.add(ChaosLine.checked("G13", "hostile worker " + seconds + ", host heap/fds/maps growth",
                String.format(Locale.ROOT, "heap%+.1fMB,fds%+d,maps%+d", heapDelta / 1e6, fdsAfter - fdsBefore,
                        mapsAfter - mapsBefore), "heap<=+10%+8MB,fds<=+2,maps<=+16", flat));
        out.add(ChaosLine.checked("G13", "hostile worker " + seconds + ", pool serves normally afterwards",
                servedAfter + "/" + AFTER_CALLS, AFTER_CALLS + "/" + AFTER_CALLS, servedAfter == AFTER_CALLS));
        raw.printf(Locale.ROOT, "G13 calls %d: values %d, typed failures %d, untyped %d, not ended %d, late %d;"
                        + " worst overshoot %s; heap %d -> %d, fds %d -> %d, maps %d -> %d; after: %d/%d%s%n",
                calls.get(), values.get(), typed.get(), untyped.get(), notEnded.get(), late.get(),
                Units.nanos(Math.max(0, worstOvershoot.get())), heapBefore, heapAfter, fdsBefore, fdsAfter,
                mapsBefore, mapsAfter, servedAfter, AFTER_CALLS, afterError == null ? "" : " (" + afterError + ")");
        return out;
    }
}
