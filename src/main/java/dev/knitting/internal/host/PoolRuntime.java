package dev.knitting.internal.host;

import dev.knitting.Pool;
import dev.knitting.internal.task.TaskTable;

/** The running pool. The engine lands in the next commit. */
public final class PoolRuntime {
    private PoolRuntime() {
    }

    /** Starts the pool. */
    public static Pool start(PoolConfig config, TaskTable table) {
        throw new UnsupportedOperationException("engine not yet committed: " + config + table.size());
    }
}
