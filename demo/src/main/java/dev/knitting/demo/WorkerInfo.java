package dev.knitting.demo;

import java.nio.file.Path;

/**
 * Where a worker runs, so the demo can show that its process workers are separate JVMs started
 * from the same runtime (a {@code jlink} image's own {@code bin/java} included) and module.
 *
 * @param pid the worker's process id
 * @param launcher the executable that runs it: as the OS reports it, or, where the worker may not
 *     read its own {@code /proc/self} (a confined worker, the default), its runtime's {@code bin/java}
 * @param module the module the task classes were loaded from
 */
public record WorkerInfo(long pid, String launcher, String module) {
    static WorkerInfo current() {
        String launcher = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new WorkerInfo(ProcessHandle.current().pid(), launcher, String.valueOf(WorkerInfo.class.getModule().getName()));
    }
}
