package dev.knitting.internal.host;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import dev.knitting.testtasks.EchoTasks;

/**
 * A user's first program: starts a THREAD pool of one worker (a PROCESS pool with the argument
 * {@code PROCESS}), makes one call, closes it, and prints the answer; {@link ThreadPoolColdStartTest}
 * and {@link ProcessPoolColdStartTest} read the classes it loaded.
 */
public final class ThreadPoolColdChild {
    private ThreadPoolColdChild() {
    }

    /** @param args none, or {@code PROCESS} */
    public static void main(String[] args) {
        WorkerRuntime runtime = args.length > 0 && args[0].equals("PROCESS") ? WorkerRuntime.PROCESS
                : WorkerRuntime.THREAD;
        try (Pool pool = Knitting.pool().runtime(runtime).threads(1).start(EchoTasks.class)) {
            System.out.println("answer: " + pool.call(EchoTasks.SQUARE, 12).join());
        }
    }
}
