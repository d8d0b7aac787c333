package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child side of {@link CrossProcessTest}: maps the memory handed over as fd 0, sleeps on word 0
 * until the host changes it, then answers the new value plus one at offset 128.
 */
final class CrossProcessFutexChild {
    static final long GO_OFFSET = 0;
    static final long ANSWER_OFFSET = 128;

    private CrossProcessFutexChild() {
    }

    public static void main(String[] args) {
        Waiter waiter = Waiter.platform();
        if (!(waiter instanceof LinuxFutex)) {
            System.err.println("expected the futex waiter: " + Platforms.waiterReason());
            System.exit(3);
        }
        try (MappedRegion region = SharedMemory.openPath(Path.of("/proc/self/fd/0"))) {
            MemorySegment go = region.segment().asSlice(GO_OFFSET, 4);
            while (go.get(JAVA_INT, 0) == 0) {
                waiter.await(go, 0, TimeUnit.MINUTES.toNanos(5));
            }
            region.segment().set(JAVA_INT, ANSWER_OFFSET, go.get(JAVA_INT, 0) + 1);
        }
    }
}
