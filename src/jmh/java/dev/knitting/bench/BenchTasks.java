package dev.knitting.bench;

import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

import dev.knitting.Task;

/** The tasks the benchmarks call: exported as public static final fields, as pools require. */
public final class BenchTasks {
    /** Tiny call: int -> int. */
    public static final Task<Integer, Integer> INC = Task.of(v -> v + 1);
    /** Payload echo: returns its argument, so the bytes cross the lane both ways. */
    public static final Task<byte[], byte[]> ECHO = Task.of(b -> b);
    /** Shared-buffer echo: only the descriptor crosses, both ways. */
    public static final Task<ProcessSharedBuffer, ProcessSharedBuffer> ECHO_SHARED = Task.of(b -> b);
    /** Reference echo: the reference moves to the worker and back. */
    public static final Task<BufferReference, BufferReference> ECHO_REFERENCE = Task.of(r -> r);

    /** A 20 us task: spins on the clock, then answers {@code v + 1} (the virtual-caller line). */
    public static final Task<Integer, Integer> WORK_20US = Task.of(BenchTasks::work20us);

    private BenchTasks() {
    }

    /** The body of {@link #WORK_20US}, for the baselines. */
    public static Integer work20us(Integer v) {
        long end = System.nanoTime() + 20_000;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
        return v + 1;
    }

    /** The same body as {@link #INC}, for the baselines. */
    public static Integer inc(Integer v) {
        return v + 1;
    }
}
