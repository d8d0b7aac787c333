package dev.knitting.internal.host;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.testtasks.EchoTasks;

/**
 * A user's first program: starts a THREAD pool of one worker, makes one call, closes it, and
 * prints the answer; {@link ThreadPoolColdStartTest} reads the classes it loaded.
 */
public final class ThreadPoolColdChild {
    private ThreadPoolColdChild() {
    }

    /** @param args none */
    public static void main(String[] args) {
        try (Pool pool = Knitting.pool().threads(1).start(EchoTasks.class)) {
            System.out.println("answer: " + pool.call(EchoTasks.SQUARE, 12).join());
        }
    }
}
