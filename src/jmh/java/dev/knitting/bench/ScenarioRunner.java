package dev.knitting.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a scenario: opens every contender, runs warm-up then measured rounds with the contenders
 * interleaved (round r runs them in order when r is even and in reverse when odd: A B, B A, ...,
 * so neither side always goes first), then closes them. Every step runs on one runner thread and
 * is bounded by the scenario's timeout: a contender that throws or hangs is marked failed with the
 * reason and left out of later rounds, and the others carry on. A hung runner thread is abandoned
 * (it is a daemon) and replaced.
 */
public final class ScenarioRunner {
    /** Foreign CPU use below which the machine counts as quiet before a round. */
    static final double QUIET_CORES = 0.35;

    private final PrintStream raw;
    private final PrintStream progress;
    private ExecutorService runner = newRunner();

    /**
     * @param raw receives every round's measurement
     * @param progress receives one short line per step (standard error)
     */
    public ScenarioRunner(PrintStream raw, PrintStream progress) {
        this.raw = raw;
        this.progress = progress;
    }

    /** Runs one scenario to completion; never throws for a contender's failure. */
    public ScenarioResult run(Scenario scenario) {
        List<Contender> contenders;
        try {
            contenders = scenario.contenders().get();
        } catch (RuntimeException e) {
            throw new IllegalStateException(scenario.id() + ": cannot create contenders: " + e, e);
        }
        List<String> names = contenders.stream().map(Contender::name).toList();
        ScenarioResult result = new ScenarioResult(scenario, names);
        List<ScenarioResult.Side> sides = result.sides();
        raw.printf("%n== %s: %s%n", scenario.id(), scenario.lines().getFirst().what());
        raw.printf("   contenders: %s; %d warm-up + %d measured rounds; warm-up %s; round %s; timeout %d ms%n",
                names, scenario.warmupRounds(), scenario.rounds(), scenario.warmup(), scenario.spec(),
                scenario.roundTimeoutMillis());

        for (int i = 0; i < contenders.size(); i++) {
            Contender c = contenders.get(i);
            ScenarioResult.Side side = sides.get(i);
            step(scenario, c, side, "open", () -> {
                c.open();
                return null;
            });
        }
        int total = scenario.warmupRounds() + scenario.rounds();
        for (int r = 0; r < total; r++) {
            boolean warm = r < scenario.warmupRounds();
            RoundSpec spec = warm ? scenario.warmup() : scenario.spec();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < contenders.size(); i++) {
                order.add(r % 2 == 0 ? i : contenders.size() - 1 - i);
            }
            for (int i : order) {
                Contender c = contenders.get(i);
                ScenarioResult.Side side = sides.get(i);
                if (side.error != null) {
                    continue;
                }
                System.gc();
                String quiet = warm || scenario.quietWaitMillis() <= 0 ? ""
                        : " [" + Machine.awaitQuiet(QUIET_CORES, scenario.quietWaitMillis()) + "]";
                String label = (warm ? "warm-up " + (r + 1) : "round " + (r - scenario.warmupRounds() + 1));
                Measurement m = step(scenario, c, side, label, () -> c.round(spec));
                if (m != null) {
                    raw.printf("   %s %-8s %-34s %s%s%n", scenario.id(), label, c.name(), m.describe(), quiet);
                    raw.flush();
                    if (!warm) {
                        side.rounds.add(m);
                    }
                }
            }
            progress.printf("  %s %s/%d%n", scenario.id(), r < scenario.warmupRounds() ? "warm-up " + (r + 1)
                    : "round " + (r - scenario.warmupRounds() + 1), r < scenario.warmupRounds()
                    ? scenario.warmupRounds() : scenario.rounds());
        }
        for (int i = 0; i < contenders.size(); i++) {
            Contender c = contenders.get(i);
            ScenarioResult.Side side = sides.get(i);
            String before = side.error;
            step(scenario, c, side, "close", () -> {
                c.close();
                return null;
            });
            if (before == null && side.error != null) {
                // Failing to close after good rounds: keep the figures, report the close failure.
                raw.printf("   %s close of %s failed: %s (figures kept)%n", scenario.id(), c.name(), side.error);
                side.error = null;
            }
        }
        return result;
    }

    /** Stops the runner thread (at the end of the suite). */
    public void shutdown() {
        runner.shutdownNow();
    }

    private <T> T step(Scenario scenario, Contender c, ScenarioResult.Side side, String what, Callable<T> body) {
        if (side.error != null && !what.equals("close")) {
            return null;
        }
        Future<T> f = runner.submit(body);
        try {
            return f.get(scenario.roundTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            side.error = "timeout: " + what + " still running after " + scenario.roundTimeoutMillis() + " ms";
            raw.printf("   %s %s: %s; thread dump follows%n", scenario.id(), c.name(), side.error);
            dumpRunner();
            f.cancel(true);
            abandon(c);
            runner.shutdownNow();
            runner = newRunner();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            side.error = describe(cause);
            raw.printf("   %s %s: %s failed:%n", scenario.id(), c.name(), what);
            cause.printStackTrace(raw);
            if (!what.equals("close")) {
                abandon(c);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            side.error = "interrupted";
        }
        if (side.error != null) {
            progress.printf("  %s %s: %s%n", scenario.id(), c.name(), side.error);
        }
        return null;
    }

    private void abandon(Contender c) {
        Thread t = Thread.ofPlatform().daemon().name("bench-abandon").start(c::abandon);
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final java.util.Set<String> JVM_THREADS = java.util.Set.of("Reference Handler", "Finalizer",
            "Signal Dispatcher", "Common-Cleaner", "Notification Thread", "Attach Listener", "main");

    private void dumpRunner() {
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (!JVM_THREADS.contains(t.getName()) && stack.length > 0) {
                raw.printf("     thread %s (%s)%n", t.getName(), t.getState());
                for (int i = 0; i < Math.min(stack.length, 25); i++) {
                    raw.printf("       at %s%n", stack[i]);
                }
            }
        });
    }

    /** @return "Type: message" of the root cause, single line */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? "" : ": " + root.getMessage();
        return (root.getClass().getSimpleName() + msg).replaceAll("\\s+", " ");
    }

    private static ExecutorService newRunner() {
        return Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("bench-runner").unstarted(r));
    }
}
