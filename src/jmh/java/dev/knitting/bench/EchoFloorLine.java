package dev.knitting.bench;

import java.util.List;

/**
 * The floor line of an echo scenario (G6, G7): the scenario measures its knitting echo and the
 * floor of a copying echo ({@link EchoFloorSide}) among its contenders, recorded here, and a
 * further scenario reports knitting against that floor from the same rounds, paired as they were
 * measured ({@link Replay}). Informational: it shows the most any {@code byte[]} echo reaches on
 * this machine, so a goal above it is out of reach whatever the lane does.
 */
final class EchoFloorLine {
    private static final Scenario.Goal GOAL = new Scenario.Goal("informational: the most any byte[] echo"
            + " reaches here (a goal above this floor is out of reach)", (k, r) -> true);

    private final EchoFloorSide.Boundary boundary;
    private final Replay knitting = new Replay();
    private final Replay floor = new Replay();

    EchoFloorLine(EchoFloorSide.Boundary boundary) {
        this.boundary = boundary;
    }

    /** @return {@code echo}, its rounds recorded for the floor line */
    Contender knitting(Contender echo) {
        return knitting.recording(echo);
    }

    /** @return the floor contender for payloads of {@code size} bytes, its rounds recorded */
    Contender floor(int size) {
        String what = boundary == EchoFloorSide.Boundary.THREAD ? "thread (2 copies into fresh arrays)"
                : "process (4 copies, 2 into fresh arrays)";
        return floor.recording(EchoFloorSide.contender("copying echo floor " + what, boundary, size));
    }

    /**
     * @param measured the scenario whose rounds are replayed (same warm-up and rounds)
     * @param what its line's subject, e.g. "64 MiB byte[] echo thread"
     * @return the floor line, to run right after {@code measured}
     */
    Scenario line(Scenario measured, String what) {
        String replayed = " (" + measured.id() + " rounds above, replayed)";
        Contender k = knitting.replaying("knitting echo" + replayed);
        Contender f = floor.replaying("copying echo floor" + replayed);
        return new Scenario(measured.id(), () -> List.of(k, f), List.of(new Scenario.Line(
                what + " vs the floor of a copying echo", Metric.bytesPerSecond(), GOAL)), measured.warmupRounds(),
                measured.rounds(), measured.warmup(), measured.spec(), measured.roundTimeoutMillis(), 0);
    }
}
