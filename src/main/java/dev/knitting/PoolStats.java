package dev.knitting;

import java.util.List;

/**
 * A snapshot of a pool's counters.
 *
 * @param submitted calls accepted by {@code call} (including ones that later failed)
 * @param completed calls that ended with a value
 * @param failed calls that ended exceptionally (task exception, timeout, payload, pool closed...)
 * @param inFlightPerLane calls dispatched and not yet answered, one entry per worker lane, then
 *        one for the inline lane if it is enabled
 * @param workerRestarts workers replaced after a crash or hard timeout
 */
public record PoolStats(long submitted, long completed, long failed, List<Integer> inFlightPerLane,
                        long workerRestarts) {
    /** Copies the lane list. */
    public PoolStats {
        inFlightPerLane = List.copyOf(inFlightPerLane);
    }

    /** {@return the calls in flight on all lanes together} */
    public long inFlight() {
        return inFlightPerLane.stream().mapToLong(Integer::longValue).sum();
    }
}
