package dev.knitting;

/** Where workers run. Both kinds use the same shared-memory lanes and give the same results. */
public enum WorkerRuntime {
    /** Platform threads of this JVM: fastest, not a sandbox. */
    THREAD
}
