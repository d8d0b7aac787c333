package dev.knitting.testtasks;

import dev.knitting.Task;

/**
 * A task class that exports an imported task as a field beside a local one: starting a pool with
 * the class registers the import by name, and workers resolve it from the worker class path.
 */
public final class ImportingTasks {
    /** {@code com.example.plugin.Plugin#SHOUT}, compiled at test time and reached through workerClassPath. */
    public static final Task<String, String> SHOUT = Task.imported("com.example.plugin.Plugin", "SHOUT");
    /** A local task of the same class. */
    public static final Task<String, String> LOWER = Task.of(String::toLowerCase);

    private ImportingTasks() {
    }
}
