package dev.knitting.internal.worker;

import dev.knitting.IdlePolicy;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a worker needs besides its lane memory: the task names to rebuild the task table and
 * the fingerprint it must reach, the payload rules, its idle policy and the pool's bootstrap (the
 * bootstrap's data comes through the lane, see {@link WorkerBootstrap}). For process workers this
 * travels as boot data.
 *
 * @param workerIndex the lane index, reported by {@code TaskContext.workerIndex()}
 * @param taskNames the host's task table names, in id order
 * @param fingerprint the host's task table fingerprint
 * @param allowedPackages packages whose records and enums may be payloads
 * @param maxPayloadBytes the per-call payload limit
 * @param idle how the worker waits for calls
 * @param bootstrapClass the class of the pool's bootstrap, empty when it has none
 * @param bootstrapMethod the method of the pool's bootstrap, empty when it has none
 */
public record WorkerSpec(int workerIndex, List<String> taskNames, long fingerprint, Set<String> allowedPackages,
                         long maxPayloadBytes, IdlePolicy idle, String bootstrapClass, String bootstrapMethod) {
    /** Copies the collections. */
    public WorkerSpec {
        taskNames = List.copyOf(taskNames);
        allowedPackages = Set.copyOf(allowedPackages);
        Objects.requireNonNull(bootstrapClass, "bootstrapClass");
        Objects.requireNonNull(bootstrapMethod, "bootstrapMethod");
    }

    /** @return whether the worker runs a bootstrap before it resolves its tasks */
    public boolean hasBootstrap() {
        return !bootstrapClass.isEmpty();
    }
}
