package dev.knitting.internal.worker;

import dev.knitting.IdlePolicy;
import java.util.List;
import java.util.Set;

/**
 * Everything a worker needs besides its lane memory: the task names to rebuild the task table and
 * the fingerprint it must reach, the payload rules and its idle policy. For process workers this
 * travels as boot data.
 *
 * @param workerIndex the lane index, reported by {@code TaskContext.workerIndex()}
 * @param taskNames the host's task table names, in id order
 * @param fingerprint the host's task table fingerprint
 * @param allowedPackages packages whose records and enums may be payloads
 * @param maxPayloadBytes the per-call payload limit
 * @param idle how the worker waits for calls
 */
public record WorkerSpec(int workerIndex, List<String> taskNames, long fingerprint, Set<String> allowedPackages,
                         long maxPayloadBytes, IdlePolicy idle) {
    /** Copies the collections. */
    public WorkerSpec {
        taskNames = List.copyOf(taskNames);
        allowedPackages = Set.copyOf(allowedPackages);
    }
}
