package dev.knitting;

/** How a pool picks the lane (worker) for each call. */
public enum Balancer {
    /** Lanes in turn. */
    ROUND_ROBIN,
    /** The first lane with nothing in flight; round robin when every lane is busy. */
    FIRST_IDLE,
    /** A uniformly random lane. */
    RANDOM_LANE,
    /** The first lane with nothing in flight; a random lane when every lane is busy. */
    FIRST_IDLE_OR_RANDOM
}
