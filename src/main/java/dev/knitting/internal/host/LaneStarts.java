package dev.knitting.internal.host;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Starts the lanes of a pool, all at once or one after the other, and either returns every lane
 * started or none: when a start fails, the lanes that did start are stopped and the failure of the
 * lowest lane is thrown, the others' failures added as suppressed.
 *
 * <p>Process workers boot in parallel: a worker JVM's boot is mostly its own CPU work and waits
 * (class loading, JIT, page faults), so N workers on C cores take about N/C boots instead of N.
 * Each start ends by its own deadline (the pool's start timeout), so waiting for all of them ends
 * too; a failing lane does not cut the others' boots short, they are stopped once they are up.
 */
final class LaneStarts {
    private LaneStarts() {
    }

    /**
     * @param <L> the lane type ({@link HostLane}; tests use their own)
     * @param count how many lanes
     * @param start starts lane {@code i} and returns it ready, or throws
     * @param stop stops a started lane, when another failed
     * @param parallel whether lanes start at once (lane 0 on the calling thread, each other on a
     *     thread of its own named {@code threadName + "-" + i}) or in order on the calling thread
     * @return the started lanes, in order
     */
    static <L> List<L> startAll(int count, IntFunction<L> start, Consumer<L> stop, boolean parallel,
                                String threadName) {
        List<L> lanes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lanes.add(null);
        }
        Throwable[] failures = new Throwable[count];
        if (parallel && count > 1) {
            List<Thread> threads = new ArrayList<>(count - 1);
            for (int i = 1; i < count; i++) {
                int lane = i;
                threads.add(Thread.ofPlatform().daemon().name(threadName + "-" + i)
                        .start(() -> startOne(lane, start, lanes, failures)));
            }
            startOne(0, start, lanes, failures);
            threads.forEach(LaneStarts::joinUninterruptibly);
        } else {
            for (int i = 0; i < count; i++) {
                startOne(i, start, lanes, failures);
                if (failures[i] != null) {
                    break;
                }
            }
        }
        Throwable first = null;
        for (Throwable failure : failures) {
            if (failure == null) {
                continue;
            }
            if (first == null) {
                first = failure;
            } else {
                first.addSuppressed(failure);
            }
        }
        if (first == null) {
            return lanes;
        }
        for (L lane : lanes) {
            if (lane != null) {
                try {
                    stop.accept(lane);
                } catch (RuntimeException | Error e) {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) first;
    }

    private static <L> void startOne(int index, IntFunction<L> start, List<L> lanes, Throwable[] failures) {
        try {
            L lane = start.apply(index);
            synchronized (lanes) {
                lanes.set(index, lane);
            }
        } catch (RuntimeException | Error e) {
            failures[index] = e;
        }
    }

    /** Waits for a start thread, whose start ends by its own deadline; keeps an interrupt for the caller. */
    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
