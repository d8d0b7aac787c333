package dev.knitting.internal.host;

import dev.knitting.Balancer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks a lane for each call according to the pool's {@link Balancer}. Lane {@code workers}
 * (one past the last worker lane) is the inline lane, eligible only when the caller says so;
 * lanes whose worker is down are skipped.
 */
final class LaneBalancer {
    private final Balancer strategy;
    private final AtomicInteger cursor = new AtomicInteger();

    LaneBalancer(Balancer strategy) {
        this.strategy = strategy;
    }

    /**
     * @param lanes the worker lanes
     * @param inlineEligible whether the inline lane may be chosen for this call
     * @return a worker lane index, {@code lanes.length} for the inline lane, or -1 if no lane takes
     *         calls any more; a lane whose worker is being replaced is chosen only when no lane is up
     */
    int pick(HostLane[] lanes, boolean inlineEligible) {
        if (lanes.length == 0) {
            return 0; // the inline lane is the only one
        }
        int lane = pickUp(lanes, inlineEligible);
        if (lane >= 0) {
            return lane;
        }
        for (int i = 0; i < lanes.length; i++) {
            if (lanes[i].accepting()) {
                return i; // its submit waits for the replacement worker
            }
        }
        return inlineEligible ? lanes.length : -1;
    }

    private int pickUp(HostLane[] lanes, boolean inlineEligible) {
        int count = lanes.length + (inlineEligible ? 1 : 0);
        if (count == 0) {
            return -1;
        }
        if (count == 1) {
            return usable(lanes, 0) ? 0 : -1;
        }
        switch (strategy) {
            case FIRST_IDLE, FIRST_IDLE_OR_RANDOM -> {
                for (int i = 0; i < lanes.length; i++) {
                    if (lanes[i].isUp() && lanes[i].inFlight() == 0) {
                        return i;
                    }
                }
                return strategy == Balancer.FIRST_IDLE ? roundRobin(lanes, count) : random(lanes, count);
            }
            case RANDOM_LANE -> {
                return random(lanes, count);
            }
            default -> {
                return roundRobin(lanes, count);
            }
        }
    }

    private int roundRobin(HostLane[] lanes, int count) {
        for (int attempt = 0; attempt < count; attempt++) {
            int i = Math.floorMod(cursor.getAndIncrement(), count);
            if (usable(lanes, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int random(HostLane[] lanes, int count) {
        int start = ThreadLocalRandom.current().nextInt(count);
        for (int attempt = 0; attempt < count; attempt++) {
            int i = (start + attempt) % count;
            if (usable(lanes, i)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean usable(HostLane[] lanes, int i) {
        return i == lanes.length || lanes[i].isUp();
    }
}
