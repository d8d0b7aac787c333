package dev.knitting.internal.host;

import dev.knitting.Balancer;
import dev.knitting.IdlePolicy;
import dev.knitting.WorkerRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Every option of a pool, validated by the builder. {@code inlineThreshold} 0 means no inline lane;
 * {@code hardTimeout} {@code null} means none; {@code workerClassPath} are entries workers load
 * classes from after the host's (process workers: on their class path; thread workers: through
 * {@link WorkerClasses}); {@code bootstrap} {@code null} means none; {@code process} matters for
 * process workers only.
 */
public record PoolConfig(int threads, WorkerRuntime runtime, Balancer balancer, long maxPayloadBytes,
                         int abortSignalCapacity, Duration hardTimeout, int inlineThreshold,
                         int laneCapacity, IdlePolicy idle, boolean debug, Set<String> extraPackages,
                         List<Path> workerClassPath, BootstrapOption bootstrap, ProcessOptions process) {
    /** Default bytes of each ring (request and response) of a lane. */
    public static final int DEFAULT_LANE_CAPACITY = 1 << 20;
    /** Default per-call payload limit: 8 MiB. */
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 8L << 20;
    /** Largest payload limit: payloads are rebuilt in Java arrays. */
    public static final long MAX_PAYLOAD_LIMIT = Integer.MAX_VALUE - 64;
    /** Default abort slots per lane, as in knitting-js. */
    public static final int DEFAULT_ABORT_CAPACITY = 258;

    /** Copies the collections. */
    public PoolConfig {
        extraPackages = Set.copyOf(extraPackages);
        workerClassPath = List.copyOf(workerClassPath);
    }

    /** @return whether the calling thread may run calls itself under load */
    public boolean inlineLane() {
        return inlineThreshold > 0;
    }
}
