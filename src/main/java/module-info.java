/**
 * Knitting: a worker pool over shared-memory IPC, bound with the Foreign Function &amp; Memory API.
 * Only the API packages are exported; everything under {@code dev.knitting.internal} is hidden.
 */
module dev.knitting {
    exports dev.knitting;
    exports dev.knitting.shm;
    exports dev.knitting.unsafe;
}
