package dev.knitting.bench;

/**
 * One side of a scenario (the knitting pool, a baseline, or an informational extra). Opened once
 * per scenario, then measured in rounds interleaved with the other contenders, then closed.
 * Every method runs on the scenario's runner thread, except {@link #abandon()}.
 */
public abstract class Contender {
    private final String name;

    protected Contender(String name) {
        this.name = name;
    }

    /** @return the name shown in raw output, e.g. "TPE(1) submit+get" */
    public final String name() {
        return name;
    }

    /** Creates pools, buffers, executors. */
    public abstract void open() throws Exception;

    /** Runs one round. */
    public abstract Measurement round(RoundSpec spec) throws Exception;

    /** Releases what {@link #open()} created; waits for its threads. */
    public abstract void close() throws Exception;

    /**
     * Called from another thread when a round or close hung: stop whatever can be stopped without
     * waiting (for example {@code shutdownNow}).
     */
    public void abandon() {
    }
}
