package dev.knitting.internal.host;

import dev.knitting.Task;

/** Tasks for the host package's own tests. */
public final class HostTestTasks {
    public static final Task<Integer, Integer> SQUARE = Task.of(v -> v * v);
    public static final Task<Object, Object> ECHO = Task.of(v -> v);
    public static final Task<String, String> FAIL = Task.of(m -> {
        throw new IllegalStateException(m);
    });

    private HostTestTasks() {
    }

    public static int cube(int v) {
        return v * v * v;
    }
}
