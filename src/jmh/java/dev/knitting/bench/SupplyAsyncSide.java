package dev.knitting.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * {@code CompletableFuture.supplyAsync(() -> inc(v)).join()} on its default executor, as a user
 * would write it. Note: when the common pool's parallelism is below 2 (a 2-vCPU machine has
 * parallelism 1), the JDK runs each task on a new thread: that is what such a user gets.
 */
public final class SupplyAsyncSide {
    /** @return a note on which executor {@code supplyAsync} uses on this machine */
    public static String executorNote() {
        return ForkJoinPool.getCommonPoolParallelism() > 1 ? "common pool (parallelism "
                + ForkJoinPool.getCommonPoolParallelism() + ")"
                : "a new thread per task (common pool parallelism " + ForkJoinPool.getCommonPoolParallelism() + ")";
    }

    /** Back-to-back tiny calls, each timed. */
    public Measurement hot(RoundSpec spec) throws Exception {
        return TinyCallLoops.hot(spec, v -> CompletableFuture.supplyAsync(() -> BenchTasks.inc(v)).join(),
                "executor: " + executorNote());
    }
}
