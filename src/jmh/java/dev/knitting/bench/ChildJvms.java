package dev.knitting.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs of the process baselines (echo children, the start-up probe, {@code java -version}):
 * started with this JVM's own launcher and class path, tracked so that every one of them is
 * destroyed, with its descendants, when its side closes, when a side is abandoned, and in a
 * shutdown hook when the suite exits (also on a timeout of {@code scripts/bench}). The hook also
 * kills any knitting worker JVM left alive. {@link #ensureHook()} installs it.
 */
public final class ChildJvms {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildJvms::destroyAll, "bench-child-reaper"));
    }

    private ChildJvms() {
    }

    /** Installs the shutdown hook (class initialisation does); call before starting any pool. */
    public static void ensureHook() {
        // the static initialiser ran
    }

    /** @return this JVM's {@code java} launcher */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @param jvmArgs options before the class path
     * @param classPath the class path (null: this JVM's)
     * @param mainClass the main class
     * @param args program arguments
     * @return {@code java jvmArgs -cp classPath mainClass args}
     */
    public static List<String> command(List<String> jvmArgs, String classPath, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath == null ? System.getProperty("java.class.path") : classPath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts a tracked child. */
    public static Process start(ProcessBuilder builder) throws IOException {
        Process p = builder.start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return p;
    }

    /**
     * Waits up to {@code graceMillis} for the child to exit by itself (its input was closed), then
     * kills it and its descendants.
     *
     * @return the exit code, or -1 if it had to be killed
     */
    public static int stop(Process p, long graceMillis) {
        if (p == null) {
            return -1;
        }
        try {
            if (p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                LIVE.remove(p);
                return p.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill(p);
        return -1;
    }

    /** Kills the child and every descendant at once (SIGKILL). */
    public static void kill(Process p) {
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
    }

    /**
     * The shutdown hook: kills the tracked children and also every other descendant still alive,
     * such as a knitting worker JVM whose pool could not stop it (for example a worker stopped with
     * SIGSTOP never exits, and its pool's shutdown does not kill it).
     */
    private static void destroyAll() {
        for (Process p : List.copyOf(LIVE)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        ProcessHandle.current().descendants().forEach(h -> {
            if (h.isAlive()) {
                System.err.println("bench: killing leftover descendant " + h.pid() + " "
                        + h.info().command().orElse("?"));
                h.destroyForcibly();
            }
        });
    }
}
