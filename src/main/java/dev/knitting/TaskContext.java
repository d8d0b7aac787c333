package dev.knitting;

/** What an abort-aware task ({@link Task#withContext}) sees of its call. */
public interface TaskContext {
    /**
     * Tells whether the call should stop; cooperative tasks check it and stop early.
     *
     * @return {@code true} once the caller aborted or cancelled the call, or its timeout passed
     */
    boolean aborted();

    /** {@return a monotonic clock in nanoseconds, comparable within one worker} */
    long nanoTime();

    /** {@return the index of the worker (lane) running the call, from 0} */
    int workerIndex();
}
