package dev.knitting.internal.host;

/** Starts the worker of a lane, of one kind: formats fresh lane memory, starts the worker, waits until it is ready. */
interface WorkerStarter {
    /**
     * @param index the lane
     * @return a ready incarnation (its pump not yet started)
     * @throws dev.knitting.KnittingException if the worker could not start, with its reason
     */
    Incarnation start(int index);

    /** @return the thread-name stem for this lane */
    String name(int index);
}
