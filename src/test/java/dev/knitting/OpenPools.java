package dev.knitting;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The pools one test started, shut down after it: a test class holds one, adds every pool it
 * starts, and calls {@link #shutdownAll()} from its {@code @AfterEach}.
 */
public final class OpenPools {
    private final List<Pool> pools = new CopyOnWriteArrayList<>();

    /** Shuts {@code pool} down after the test. */
    public void add(Pool pool) {
        pools.add(pool);
    }

    /**
     * Fails what every pool still has pending ({@code shutdownNow}) and waits up to 60 s for each to
     * stop; a pool that does not stop in time does not keep the others running.
     */
    public void shutdownAll() {
        for (Pool pool : pools) {
            pool.shutdownNow().orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        pools.clear();
    }
}
