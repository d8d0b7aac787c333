package dev.knitting.internal.worker;

import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.share.MappingCache;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.os.LinuxSpawn;
import dev.knitting.internal.os.UnixSockets;
import dev.knitting.internal.os.Seccomp;
import dev.knitting.internal.spawn.ConfinementSpec;

import dev.knitting.internal.os.MappedRegion;
import dev.knitting.internal.os.NativeProcess;
import dev.knitting.internal.os.Platforms;
import dev.knitting.internal.os.SharedMemory;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.spawn.BootData;
import dev.knitting.internal.spawn.HostWatch;
import dev.knitting.internal.spawn.WorkerEnv;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Entry point of a worker process: reads the boot data from {@code KNITTING_BOOT}, maps the lane
 * (fd 0 reopened read-write, or the shm name), watches the host, and runs the same
 * {@link WorkerLoop} as a thread worker.
 *
 * <p>The lane is mapped before any task code runs here. An INHERIT lane is a memfd the host sealed
 * against resizing, so task code that reopens fd 0 cannot truncate it. A NAMED lane cannot be
 * sealed: its descriptor is closed and its name removed right after mapping, so task code finds
 * neither a descriptor nor a name to truncate it through.
 *
 * <p>Exit codes stay below 128 so the host can tell them from deaths by signal: 0 after the host
 * asked it to stop, {@link #EXIT_BOOT_FAILED} when it could not start, {@link #EXIT_HOST_GONE}
 * when its host died, {@link #EXIT_LOOP_FAILED} when the loop failed (for example a corrupt lane).
 */
public final class ProcessWorkerMain {
    /** The boot data, lane or task table was unusable. */
    public static final int EXIT_BOOT_FAILED = 70;
    /** The worker loop failed after boot. */
    public static final int EXIT_LOOP_FAILED = 71;
    /** The host process is gone. */
    public static final int EXIT_HOST_GONE = 75;
    /** Unused mappings of the host's shared buffers a worker keeps for their next call. */
    private static final int KEPT_MAPPINGS = 16;
    /** How long a stopping worker waits for its host watch to leave its native wait. */
    private static final Duration WATCH_END_WAIT = Duration.ofSeconds(1);

    private ProcessWorkerMain() {
    }

    /** @param args ignored: everything comes from the environment */
    public static void main(String[] args) {
        BootData boot;
        MappedRegion region;
        try {
            // The one downcall (libc's syscall) takes most of a boot to link: start it now, so that it
            // overlaps decoding the boot data; the lane mapping below waits for it if needed.
            Platforms.linkSyscallsInBackground();
            ConfinementSpec confinement = ConfinementSpec.decode(System.getenv(WorkerEnv.CONFINE));
            boot = BootData.decode(System.getenv(WorkerEnv.BOOT));
            region = boot.shmMode() == SharedMemoryMode.INHERIT
                    ? SharedMemory.openPath(Path.of("/proc/self/fd/0"))
                    : SharedMemory.openNamedAndForget(boot.shmName()); // before any task code runs here
            if (region.byteSize() < boot.laneBytes()) {
                throw new IllegalStateException("lane mapping has " + region.byteSize() + " bytes, boot data says "
                        + boot.laneBytes());
            }
            Waiter.platform(); // links the futex calls, whose shape the filter's installation reuses
            connectDescriptorChannel(System.getenv(WorkerEnv.DESCRIPTORS));
            confine(confinement); // before any task class loads, and before the host watch starts its thread
        } catch (RuntimeException | Error e) {
            fail(EXIT_BOOT_FAILED, "cannot boot", e);
            return;
        }
        String me = "knitting worker " + boot.spec().workerIndex() + ": ";
        HostWatch watch = HostWatch.start(boot.hostPid(), boot.hostStartMillis(), reason -> {
            if (boot.debug()) { // stderr is a pipe to the dead host: write only when asked to
                System.err.println(me + "halting, the host is gone: " + reason);
                System.err.flush();
            }
            NativeProcess.exitNow(EXIT_HOST_GONE);
        }, HostWatch.DEFAULT_PERIOD, note -> {
            if (boot.debug()) {
                System.err.println(me + "warning: " + note);
            }
        });
        MappingCache.enable(KEPT_MAPPINGS); // a pipeline sends the same buffers call after call
        try {
            new WorkerLoop(region.segment(), boot.spec(), ClassLoader.getSystemClassLoader(), Waiter.platform(),
                    Peer.processHost()).run();
        } catch (RuntimeException | Error e) {
            fail(EXIT_LOOP_FAILED, "failed", e);
        }
        // No thread of ours inside a native call at exit: the JVM's exit would wait ~300 ms for it.
        watch.closeAndAwait(WATCH_END_WAIT);
        System.out.flush();
        System.exit(0);
    }

    /** Confines this worker as its host asked: the seccomp filter on all threads. */
    private static void confine(ConfinementSpec spec) {
        if (spec != null && spec.seccomp()) {
            Seccomp.confineAllThreads(spec.exec(), spec.network(), spec.landlock());
        }
    }

    /**
     * Takes over the worker's end of its descriptor channel from its host ({@link DescriptorChannel}),
     * if the host handed it one, before any task code runs: close-on-exec from here on, so no program
     * a task may start inherits it.
     *
     * @param value {@link WorkerEnv#DESCRIPTORS}, null if unset
     */
    private static void connectDescriptorChannel(String value) {
        if (value == null) {
            return;
        }
        if (!value.equals(Integer.toString(LinuxSpawn.INHERITED_FD))) {
            throw new IllegalArgumentException(WorkerEnv.DESCRIPTORS + "=" + value + " is not "
                    + LinuxSpawn.INHERITED_FD);
        }
        UnixSockets.closeOnExec(LinuxSpawn.INHERITED_FD);
        DescriptorChannel.connectHost(new DescriptorChannel(LinuxSpawn.INHERITED_FD, "the host"));
    }

    private static void fail(int code, String what, Throwable e) {
        System.err.println("knitting worker " + what + ": " + e);
        e.printStackTrace();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }
}
