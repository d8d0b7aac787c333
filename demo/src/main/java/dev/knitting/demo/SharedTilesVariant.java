package dev.knitting.demo;

import dev.knitting.Pool;
import dev.knitting.TaskCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Knitting, zero-copy: one call per band carrying a {@link Tile} (two shared-buffer descriptors
 * and five ints); the worker, thread or process, reads the picture and writes its rows of the
 * output in place. The worker reports the bytes it touched.
 */
final class SharedTilesVariant implements Variant {
    private final String name;
    private final int workers;
    private final Pool pool;

    SharedTilesVariant(String name, int workers, Pool pool) {
        this.name = name;
        this.workers = workers;
        this.pool = pool;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public Traffic run(Frame frame) {
        List<TaskCall<TileDone>> pending = new ArrayList<>();
        for (Band band : frame.bands()) {
            pending.add(pool.call(TileTasks.EDGES, frame.tile(band)));
        }
        long shared = 0;
        for (TaskCall<TileDone> call : pending) {
            TileDone done = call.join();
            shared += done.bytesRead() + done.bytesWritten();
        }
        return new Traffic(0, shared);
    }
}
