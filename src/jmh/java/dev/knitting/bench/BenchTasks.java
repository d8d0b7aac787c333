package dev.knitting.bench;

import dev.knitting.Task;

/** The tasks the benchmarks call: exported as public static final fields, as pools require. */
public final class BenchTasks {
    /** Tiny call: int -> int. */
    public static final Task<Integer, Integer> INC = Task.of(v -> v + 1);
    /** Payload echo: returns its argument, so the bytes cross the lane both ways. */
    public static final Task<byte[], byte[]> ECHO = Task.of(b -> b);

    private BenchTasks() {
    }

    /** The same body as {@link #INC}, for the baselines. */
    public static Integer inc(Integer v) {
        return v + 1;
    }
}
