package dev.knitting;

import dev.knitting.testtasks.EchoTasks;

/**
 * Runs a one-worker pool of the kind named by {@code args[0]} with debug off, prints {@link #MARK}
 * to standard error, then runs one with debug on; the test reads what the default logging set-up
 * printed around the mark.
 */
public final class DebugLinesChild {
    static final String MARK = "---- debug on from here ----";

    private DebugLinesChild() {
    }

    public static void main(String[] args) {
        WorkerRuntime kind = WorkerRuntime.valueOf(args[0]);
        try (Pool pool = Knitting.pool().runtime(kind).threads(1).debug(false).start(EchoTasks.class)) {
            check(pool.call(EchoTasks.SQUARE, 4).join());
        }
        System.err.println(MARK);
        System.err.flush();
        try (Pool pool = Knitting.pool().runtime(kind).threads(1).debug(true).start(EchoTasks.class)) {
            check(pool.call(EchoTasks.SQUARE, 4).join());
        }
    }

    private static void check(int sixteen) {
        if (sixteen != 16) {
            throw new AssertionError("4 squared is " + sixteen);
        }
    }
}
