package dev.knitting;

/** Where workers run. Both kinds use the same shared-memory lanes and give the same results. */
public enum WorkerRuntime {
    /** Platform threads of this JVM: fastest, not a sandbox. */
    THREAD,
    /**
     * One JVM per worker, started with this JVM's class path or module path. Its lane is memory
     * mapped by both processes; a crashing worker fails only the calls it had taken and is
     * replaced.
     */
    PROCESS
}
