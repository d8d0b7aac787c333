package dev.knitting.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets a second scenario report another figure from the rounds of a first one, without measuring
 * again: a {@link #recording} contender keeps every outcome of the contender it wraps (open, each
 * round, in order), and a {@link #replaying} contender hands them back in the same order. The
 * runner then pairs rounds exactly as they were measured, interleaved in the first scenario. Used
 * where one scenario has several baselines with a line each (G4: UNIX socket, pipe, futex floor), since a
 * {@link Scenario.Line} always compares the first two contenders.
 */
final class Replay {
    private final List<Object> outcomes = new ArrayList<>();
    private Exception openFailure;
    private boolean opened;

    /** @return a contender measuring like {@code c} and keeping every outcome here */
    Contender recording(Contender c) {
        outcomes.clear();
        openFailure = null;
        opened = false;
        return new Contender(c.name()) {
            @Override
            public void open() throws Exception {
                opened = true;
                try {
                    c.open();
                } catch (Exception e) {
                    openFailure = e;
                    throw e;
                }
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                try {
                    Measurement m = c.round(spec);
                    outcomes.add(m);
                    return m;
                } catch (Exception e) {
                    outcomes.add(e);
                    throw e;
                }
            }

            @Override
            public void close() throws Exception {
                c.close();
            }

            @Override
            public void abandon() {
                outcomes.add(new IllegalStateException("abandoned (hung)"));
                c.abandon();
            }
        };
    }

    /** @return a contender that returns the recorded outcomes again, in order, under {@code name} */
    Contender replaying(String name) {
        return new Contender(name) {
            private int next;

            @Override
            public void open() throws Exception {
                if (!opened) {
                    throw new IllegalStateException("the scenario this one replays did not run");
                }
                if (openFailure != null) {
                    throw openFailure;
                }
            }

            @Override
            public Measurement round(RoundSpec spec) throws Exception {
                if (next >= outcomes.size()) {
                    throw new IllegalStateException("no recorded round " + (next + 1));
                }
                Object o = outcomes.get(next++);
                if (o instanceof Exception e) {
                    throw e;
                }
                return (Measurement) o;
            }

            @Override
            public void close() {
            }
        };
    }
}
