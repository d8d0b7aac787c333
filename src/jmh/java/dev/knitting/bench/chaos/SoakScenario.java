package dev.knitting.bench.chaos;

import dev.knitting.Knitting;
import dev.knitting.KnittingException;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * G14: a THREAD pool and a PROCESS pool of two workers each, two callers keeping up to 64 calls in
 * flight each, alternating pools; calls are 80% tiny ({@code INC}), 18% echoes of 1 B-4 KiB, 2%
 * echoes of 64-256 KiB, every answer checked. Every {@code killEveryMillis} one process worker is
 * killed with SIGKILL. Every call must end exactly once (values + typed failures = submitted, no
 * wrong value, nothing left pending) and this JVM's RSS must stay within 10% of its value after
 * warm-up (the first 10% of calls). Run it with a fixed, pre-touched heap ({@code scripts/chaos}
 * does), so RSS growth means native memory, not the heap growing to its maximum.
 */
final class SoakScenario {
    private static final int WINDOW = 64;

    private final long total;
    private final long killEveryMillis;
    private final PrintStream raw;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong values = new AtomicLong();
    private final AtomicLong typed = new AtomicLong();
    private final AtomicLong untyped = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final AtomicLong kills = new AtomicLong();
    /** Typed failures by exception class: kills fail the calls their worker had taken, nothing else should. */
    private final Map<String, LongAdder> typedKinds = new ConcurrentSkipListMap<>();
    private final Map<String, String> firstTyped = new ConcurrentHashMap<>();
    private int workersAtEnd = -1;
    private volatile long rssWarm = -1;
    private long rssEnd = -1;
    private long rssMax = -1;
    private long pending = -1;
    private double seconds;

    SoakScenario(long total, long killEveryMillis, PrintStream raw) {
        this.total = total;
        this.killEveryMillis = killEveryMillis;
        this.raw = raw;
    }

    void run() throws InterruptedException {
        long start = System.nanoTime();
        try (Pool threads = Knitting.pool().threads(2).start(ChaosTasks.class);
             Pool processes = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(2).start(ChaosTasks.class)) {
            Pool[] pools = {threads, processes};
            AtomicLong next = new AtomicLong();
            List<Thread> callers = new ArrayList<>();
            Semaphore[] windows = {new Semaphore(WINDOW), new Semaphore(WINDOW)};
            for (int t = 0; t < 2; t++) {
                Semaphore window = windows[t];
                callers.add(Thread.ofPlatform().name("g14-caller-" + t).start(() -> caller(pools, next, window)));
            }
            Thread killer = Thread.ofPlatform().daemon().name("g14-killer").start(this::killer);
            long lastProgress = 0;
            while (callers.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(250);
                long done = values.get() + typed.get() + untyped.get();
                if (rssWarm < 0 && done >= total / 10) {
                    rssWarm = ProcState.rssBytes();
                }
                if (rssWarm >= 0) {
                    rssMax = Math.max(rssMax, ProcState.rssBytes());
                }
                if (done - lastProgress >= total / 10) {
                    lastProgress = done;
                    System.err.printf(Locale.ROOT, "G14 soak: %d/%d calls ended, %d workers killed, rss %d MB%n",
                            done, total, kills.get(), ProcState.rssBytes() >> 20);
                }
            }
            for (Thread t : callers) {
                t.join();
            }
            killer.interrupt();
            for (Semaphore w : windows) { // every call of a caller has ended once its window is whole again
                if (!w.tryAcquire(WINDOW, 120, TimeUnit.SECONDS)) {
                    raw.println("G14 calls still pending 120 s after the last was sent: " + (WINDOW
                            - w.availablePermits()));
                }
            }
            pending = submitted.get() - values.get() - typed.get() - untyped.get();
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ProcState.workerChildren().size() < 2 && System.nanoTime() < settle) {
                Thread.sleep(100); // a replacement started by the last kill may still boot
            }
            workersAtEnd = ProcState.workerChildren().size();
            System.gc();
            rssEnd = ProcState.rssBytes();
            rssMax = Math.max(rssMax, rssEnd);
        }
        seconds = (System.nanoTime() - start) / 1e9;
    }

    private void caller(Pool[] pools, AtomicLong next, Semaphore window) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            long n = next.getAndIncrement();
            if (n >= total) {
                return;
            }
            window.acquireUninterruptibly();
            Pool pool = pools[(int) (n & 1)];
            submitted.incrementAndGet();
            int pick = random.nextInt(100);
            try {
                if (pick < 80) {
                    int arg = random.nextInt();
                    pool.call(ChaosTasks.INC, arg).whenComplete((v, e) -> ended(window, e, v != null && v == arg + 1));
                } else {
                    byte[] payload = new byte[pick < 98 ? 1 + random.nextInt(4096) : (64 << 10) + random.nextInt(192 << 10)];
                    random.nextBytes(payload);
                    pool.call(ChaosTasks.ECHO, payload)
                            .whenComplete((v, e) -> ended(window, e, v != null && Arrays.equals(v, payload)));
                }
            } catch (KnittingException e) {
                ended(window, e, false);
            } catch (RuntimeException e) {
                ended(window, e, false);
            }
        }
    }

    private void ended(Semaphore window, Throwable error, boolean right) {
        Throwable cause = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
        if (cause == null) {
            values.incrementAndGet();
            if (!right) {
                wrong.incrementAndGet();
            }
        } else if (cause instanceof KnittingException) {
            typed.incrementAndGet();
            String kind = cause.getClass().getSimpleName();
            typedKinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
            if (firstTyped.putIfAbsent(kind, String.valueOf(cause.getMessage())) == null) {
                raw.println("G14 first " + kind + ": " + cause.getMessage());
            }
        } else {
            untyped.incrementAndGet();
            if (untyped.get() <= 10) {
                raw.println("G14 untyped failure: " + cause);
            }
        }
        window.release();
    }

    private void killer() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            while (true) {
                Thread.sleep(killEveryMillis / 2 + random.nextLong(killEveryMillis));
                List<ProcessHandle> workers = ProcState.workerChildren();
                if (!workers.isEmpty()) {
                    workers.get(random.nextInt(workers.size())).destroyForcibly();
                    kills.incrementAndGet();
                }
            }
        } catch (InterruptedException stop) {
            // the soak is over
        }
    }

    List<ChaosLine> lines() {
        String what = "soak " + total + " calls, 2 thread + 2 process workers, " + kills.get() + " killed";
        raw.printf(Locale.ROOT, "G14 %s in %.1f s: submitted %d, values %d (wrong %d), typed failures %d, untyped %d,"
                        + " pending %d; rss warm %d MB, max %d MB, end %d MB%n", what, seconds, submitted.get(),
                values.get(), wrong.get(), typed.get(), untyped.get(), pending, rssWarm >> 20, rssMax >> 20,
                rssEnd >> 20);
        List<ChaosLine> out = new ArrayList<>();
        long badEnds = Math.abs(pending) + untyped.get() + wrong.get();
        out.add(ChaosLine.checked("G14", what + ", calls ended exactly once (values+typed failures)",
                (values.get() + typed.get()) + "/" + submitted.get(), submitted.get() + "/" + submitted.get(),
                badEnds == 0 && submitted.get() == total));
        out.add(ChaosLine.atMost("G14", what + ", calls lost, wrong or failed untyped", badEnds, 0));
        raw.println("G14 typed failures by class: " + typedKinds);
        out.add(ChaosLine.checked("G14", what + ", process workers serving at the end (every lane replaced)",
                workersAtEnd + "/2", "2/2", workersAtEnd == 2));
        if (rssWarm <= 0 || rssEnd <= 0) {
            out.add(ChaosLine.error("G14", what + ", host RSS growth after warm-up", "10%", "no RSS reading"));
        } else {
            double growth = 100.0 * (rssMax - rssWarm) / rssWarm;
            out.add(new ChaosLine("G14", what + ", host RSS growth after warm-up (max)",
                    String.format(Locale.ROOT, "%+.1f%%", growth), "10%",
                    dev.knitting.bench.Units.ratio(10.0 / Math.max(growth, 0.1))));
        }
        return out;
    }
}
