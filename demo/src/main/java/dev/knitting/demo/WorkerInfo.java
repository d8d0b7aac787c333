package dev.knitting.demo;

/**
 * Where a worker runs, so the demo can show that its process workers are separate JVMs started
 * from the same runtime (a {@code jlink} image's own {@code bin/java} included) and module.
 *
 * @param pid the worker's process id
 * @param launcher the executable that runs it
 * @param module the module the task classes were loaded from
 */
public record WorkerInfo(long pid, String launcher, String module) {
    static WorkerInfo current() {
        return new WorkerInfo(ProcessHandle.current().pid(), ProcessHandle.current().info().command().orElse("?"),
                String.valueOf(WorkerInfo.class.getModule().getName()));
    }
}
