package dev.knitting.internal.observe;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.testtasks.EchoTasks;

/**
 * Runs a pool with debug on in a JVM started without {@code jdk.jfr}, and prints which sink it got
 * and the pool's result; {@link PoolWithoutJfrTest} checks that no JFR class was loaded.
 */
public final class NoJfrChild {
    private NoJfrChild() {
    }

    public static void main(String[] args) {
        int sum = 0;
        try (Pool pool = Knitting.pool().threads(2).debug(true).start(EchoTasks.class)) {
            for (int i = 0; i < 100; i++) {
                sum += pool.call(EchoTasks.SQUARE, i).join();
            }
        }
        System.out.println("sink: " + EventSinks.SINK.getClass().getSimpleName());
        System.out.println("reason: " + EventSinks.REASON);
        System.out.println("sum: " + sum);
    }
}
