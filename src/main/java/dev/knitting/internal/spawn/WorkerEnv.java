package dev.knitting.internal.spawn;

/**
 * The environment variables a host sets for every worker process, and the pool depth they carry.
 * A pool started inside a worker (depth 1) would start workers of depth 2, and so on: the depth
 * bounds that recursion.
 */
public final class WorkerEnv {
    /** The encoded {@link BootData}. */
    public static final String BOOT = "KNITTING_BOOT";
    /** {@code "1"} in every worker process. */
    public static final String PROCESS_WORKER = "KNITTING_PROCESS_WORKER";
    /** The pool depth of the worker process: its host's depth plus one. */
    public static final String POOL_DEPTH = "KNITTING_POOL_DEPTH";
    /** What a confined worker does to itself at boot ({@link ConfinementSpec}); unset when unconfined. */
    public static final String CONFINE = "KNITTING_CONFINE";
    /**
     * The worker's descriptor number of its end of the descriptor channel from its host
     * ({@code DescriptorChannel}); unset when it has none.
     */
    public static final String DESCRIPTORS = "KNITTING_DESCRIPTORS";
    /** The deepest pool depth {@link BootData} accepts. */
    public static final int MAX_POOL_DEPTH = 16;

    private WorkerEnv() {
    }

    /**
     * @return this process's pool depth: {@value #POOL_DEPTH} when it holds a number in
     *     [0, {@value #MAX_POOL_DEPTH}], else 0 (a process nobody started as a worker)
     */
    public static int currentPoolDepth() {
        return parseDepth(System.getenv(POOL_DEPTH));
    }

    static int parseDepth(String value) {
        if (value == null || value.isEmpty() || value.length() > 2) {
            return 0;
        }
        try {
            int depth = Integer.parseInt(value);
            return depth >= 0 && depth <= MAX_POOL_DEPTH ? depth : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
