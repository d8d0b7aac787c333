/**
 * Knitting: a worker pool over shared-memory IPC, bound with the Foreign Function &amp; Memory API.
 * Only the API packages are exported; everything under {@code dev.knitting.internal} is hidden.
 */
module dev.knitting {
    // Optional: JFR events when the JVM has jdk.jfr (internal.observe checks, and never loads an event class otherwise).
    requires static jdk.jfr;

    exports dev.knitting;
    exports dev.knitting.shm;
    exports dev.knitting.unsafe;
}
