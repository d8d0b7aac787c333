package dev.knitting;

import dev.knitting.process.Javac;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Classes that exist only for workers: compiled at test time into a folder that is not on the test
 * JVM's class path, so the host can reach them only by name and workers only through
 * {@link PoolBuilder#workerClassPath}. {@code Plugin} holds imported tasks, {@code PluginBoot} the
 * bootstrap methods; both keep per-thread state, which is per-worker state since a worker runs its
 * bootstrap and its synchronous tasks on its one loop thread.
 */
final class WorkerOnlyClasses {
    static final String PACKAGE = "com.example.plugin";
    static final String PLUGIN = PACKAGE + ".Plugin";
    static final String BOOT = PACKAGE + ".PluginBoot";

    private static final Map<String, String> SOURCES = Map.of("Plugin", """
            package com.example.plugin;

            import dev.knitting.Knitting;
            import dev.knitting.Task;
            import java.util.HashMap;
            import java.util.Map;

            public final class Plugin {
                /** How many bootstraps had run on the thread that initialised this class. */
                public static final int RUNS_SEEN_AT_INIT = PluginBoot.runsOnThisThread();
                public static final Task<String, String> SHOUT = Task.of(s -> s.toUpperCase() + "!");
                public static final Task<Object, Map<String, Object>> STATE = Task.withContext((ignored, ctx) -> {
                    Map<String, Object> state = new HashMap<>();
                    state.put("runs", PluginBoot.runsOnThisThread());
                    state.put("data", PluginBoot.dataOnThisThread());
                    state.put("runsSeenAtInit", RUNS_SEEN_AT_INIT);
                    state.put("worker", ctx.workerIndex());
                    state.put("isMain", Knitting.isMain());
                    state.put("thread", Thread.currentThread().threadId());
                    state.put("pid", ProcessHandle.current().pid());
                    state.put("loader", String.valueOf(Plugin.class.getClassLoader().getName()));
                    return state;
                });
                public static final Task<Integer, Spot> SPOT = Task.of(i -> new Spot(i, -i));
                public static final Task<Integer, Integer> HALT = Task.of(code -> {
                    Runtime.getRuntime().halt(code);
                    return code;
                });
                public static final Task<Long, String> NAP = Task.of(millis -> {
                    long end = System.nanoTime() + millis * 1_000_000;
                    while (System.nanoTime() - end < 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                    return "rested";
                });
                private static final Task<String, String> HIDDEN = Task.of(s -> s);

                private Plugin() {
                }

                public static String greet(String name) {
                    return "hello " + name;
                }

                public static int twice(int v) {
                    return 2 * v;
                }

                public static long twice(long v) {
                    return 2 * v;
                }

                /** A record of the plugin's package: workers may send it, the host cannot load it. */
                public record Spot(int x, int y) {
                }
            }
            """, "PluginBoot", """
            package com.example.plugin;

            public final class PluginBoot {
                private static final ThreadLocal<Integer> RUNS = ThreadLocal.withInitial(() -> 0);
                private static final ThreadLocal<Object> DATA = new ThreadLocal<>();

                private PluginBoot() {
                }

                public static void init(Object data) {
                    RUNS.set(RUNS.get() + 1);
                    DATA.set(data);
                }

                public static void noArguments() {
                    RUNS.set(RUNS.get() + 1);
                    DATA.set("no arguments");
                }

                public static void refuse(String reason) {
                    throw new IllegalStateException("bootstrap refused: " + reason);
                }

                public static void pair(Object first, Object second) {
                }

                public static int runsOnThisThread() {
                    return RUNS.get();
                }

                public static Object dataOnThisThread() {
                    return DATA.get();
                }
            }
            """);

    private WorkerOnlyClasses() {
    }

    /** Compiles {@code Plugin} and {@code PluginBoot} into {@code dir/classes}; returns that folder. */
    static Path compileInto(Path dir) {
        try {
            Path sources = Files.createDirectories(dir.resolve("src/com/example/plugin"));
            Path classes = Files.createDirectories(dir.resolve("classes"));
            for (Map.Entry<String, String> source : SOURCES.entrySet()) {
                Files.writeString(sources.resolve(source.getKey() + ".java"), source.getValue());
            }
            Javac.compile(List.of("--release", "22", "-Xlint:none", "-cp", System.getProperty("java.class.path"),
                    "-d", classes.toString(), sources.resolve("Plugin.java").toString(),
                    sources.resolve("PluginBoot.java").toString()));
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
