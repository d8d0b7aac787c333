package dev.knitting.internal.spawn;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.os.MappedRegion;
import dev.knitting.internal.os.SharedMemory;
import java.nio.file.Path;

/**
 * A stand-in worker: decodes its boot data, maps the lane the way a worker does (fd 0 reopened
 * read-write, or the shared-memory name), writes {@link #MAGIC} + worker index and its pid, and
 * prints what it saw.
 */
public final class LaneChild {
    static final int MAGIC = 0x600D0000;
    static final long VALUE_OFFSET = 0;
    static final long PID_OFFSET = 8;

    private LaneChild() {
    }

    public static void main(String[] args) {
        BootData boot = BootData.decode(System.getenv(WorkerEnv.BOOT));
        try (MappedRegion lane = boot.shmMode() == SharedMemoryMode.INHERIT
                ? SharedMemory.openPath(Path.of("/proc/self/fd/0"))
                : SharedMemory.openNamed(boot.shmName())) {
            if (lane.byteSize() != boot.laneBytes()) {
                System.err.println("lane has " + lane.byteSize() + " bytes, boot data says " + boot.laneBytes());
                System.exit(2);
            }
            lane.segment().set(JAVA_LONG, PID_OFFSET, ProcessHandle.current().pid());
            lane.segment().set(JAVA_INT, VALUE_OFFSET, MAGIC + boot.spec().workerIndex());
        }
        System.out.println("mapped " + boot.shmMode() + " module=" + LaneChild.class.getModule().getName()
                + " " + WorkerEnv.PROCESS_WORKER + "=" + System.getenv(WorkerEnv.PROCESS_WORKER)
                + " " + WorkerEnv.POOL_DEPTH + "=" + System.getenv(WorkerEnv.POOL_DEPTH)
                + " ONLY=" + System.getenv("ONLY") + " HOME=" + System.getenv("HOME"));
    }
}
