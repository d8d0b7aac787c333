package dev.knitting.bench;

import java.util.List;

/**
 * Two sides of one scenario measured call by call: a round alternates their operations (A, B, A,
 * B, ...) and times each into its own histogram, so that both figures come from the same moments.
 *
 * <p>Why: on a 2-vCPU VM a caller and its worker switch every second or so between running on two
 * vCPUs (a tiny round trip of ~1 us) and being packed on one (~2.4 us). Rounds measured one after the
 * other then compare placements more than operations: a 64 MiB reference move that adds 0.6 us to
 * a tiny call read 1.5 us more in a round that happened to be packed while its tiny-call round was
 * not. Measured call by call, both operations see every placement in the same proportion, and the
 * difference of their p50s is what the larger operation adds. G8 uses it, since its goal is exactly
 * that addition ("round trip <= tiny-call round trip + 1 us").
 *
 * <p>The runner runs contenders A B in even rounds and B A in odd ones: whichever comes first in a
 * round measures both and keeps the other's figure, which the other hands out when its turn comes.
 * Rates in the raw output (calls/s, bytes/s) count one side's calls over the wall time of both.
 * Not thread-safe: a round that hung and was abandoned by the runner may still write its figures
 * here while the runner goes on; the bench then reports that scenario's error anyway.
 */
final class CallByCall {
    private final TinyCallLoops.Operation[] operations = new TinyCallLoops.Operation[2];
    private final long[] payloadBytes = new long[2];
    private final String[] notes = new String[2];
    private final String[] names = new String[2];
    /** The figure measured for each side and not handed out yet. */
    private final Measurement[] kept = new Measurement[2];

    /**
     * @return the two contenders, measured call by call: {@code first}'s operation is
     *     {@code firstOperation}, timed with {@code firstBytes} per operation; likewise {@code second}
     */
    static <S extends Side> List<Contender> contenders(String firstName, S first, TinyCallLoops.Operation firstOperation,
            long firstBytes, String secondName, S second, TinyCallLoops.Operation secondOperation, long secondBytes) {
        CallByCall pair = new CallByCall();
        pair.operations[0] = firstOperation;
        pair.operations[1] = secondOperation;
        pair.payloadBytes[0] = firstBytes;
        pair.payloadBytes[1] = secondBytes;
        pair.names[0] = firstName;
        pair.names[1] = secondName;
        pair.notes[0] = "call by call with " + secondName;
        pair.notes[1] = "call by call with " + firstName;
        return List.of(Side.contender(firstName, first, (s, spec) -> pair.round(0, spec)),
                Side.contender(secondName, second, (s, spec) -> pair.round(1, spec)));
    }

    /** @return side {@code index}'s figure of this round: kept from the other side's turn, or measured now */
    private Measurement round(int index, RoundSpec spec) throws Exception {
        Measurement mine = kept[index];
        if (mine != null) {
            kept[index] = null;
            return mine;
        }
        LatencyHistogram[] histograms = {new LatencyHistogram(), new LatencyHistogram()};
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long pairs = 0;
        long now;
        do {
            long t0 = System.nanoTime();
            run(0);
            long t1 = System.nanoTime();
            run(1);
            now = System.nanoTime();
            histograms[0].record(t1 - t0);
            histograms[1].record(now - t1);
            pairs++;
        } while (now < deadline);
        int other = 1 - index;
        kept[other] = watch.stop(pairs, payloadBytes[other], histograms[other], notes[other]);
        return watch.stop(pairs, payloadBytes[index], histograms[index], notes[index]);
    }

    /** Runs side {@code index}'s operation; a failure names that side, whichever side's round it is. */
    private void run(int index) throws Exception {
        try {
            operations[index].run();
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException(names[index] + " failed: " + e, e);
        }
    }
}
