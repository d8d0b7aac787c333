package dev.knitting.internal.host;

import dev.knitting.KnittingException;
import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.os.LinuxSpawn;
import dev.knitting.internal.os.MappedRegion;
import dev.knitting.internal.os.UnixSockets;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.os.SharedMemory;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.spawn.BootData;
import dev.knitting.internal.spawn.Confinement;
import dev.knitting.internal.spawn.HostWatch;
import dev.knitting.internal.spawn.WorkerAotCache;
import dev.knitting.internal.spawn.WorkerClassSources;
import dev.knitting.internal.spawn.WorkerCommand;
import dev.knitting.internal.spawn.WorkerEnv;
import dev.knitting.internal.spawn.WorkerLauncher;
import dev.knitting.internal.spawn.WorkerProcess;
import dev.knitting.internal.worker.ProcessWorkerMain;
import dev.knitting.internal.worker.ResponseEncoding;
import dev.knitting.internal.worker.WorkerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Starts process workers: fresh lane memory in a memfd (INHERIT, handed over as the child's fd 0)
 * or an unguessable POSIX shm name (NAMED, unlinked once the child has mapped it), a child JVM
 * with the host's class path or module path, the entries of task classes the host loaded from
 * elsewhere ({@link WorkerClassSources}) and the pool's {@code workerClassPath}, the bootstrap
 * data handed over through the lane, and a wait for its READY. Workers are confined as the pool's
 * permission says ({@link Confinement}, decided once here: an explicit permission this platform
 * cannot enforce fails the pool's start). Workers use the automatic AOT cache of their command line
 * ({@link WorkerAotCache}) when there is one; the first worker up starts its training when not.
 */
final class ProcessWorkerStarter implements WorkerStarter {
    /** For NAMED shared memory only: a cold JVM's first {@code SecureRandom} costs ~30 ms of providers. */
    private static final class NameRandom {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final String poolName;
    private final PoolConfig config;
    private final IntFunction<WorkerSpec> specs;
    private final WorkerLauncher launcher;
    private final BootstrapHandoff bootstrap;
    private final long hostStartMillis = HostWatch.currentStartMillis();
    /** The AOT cache of these workers when it does not exist yet: trained after the first start. */
    private final WorkerAotCache untrainedCache;

    /**
     * @param taskClasses the classes exporting the pool's tasks (imported tasks excluded): a worker
     *     must load them by name, from the host's class path or from where the host found them
     * @throws dev.knitting.KnittingException if a task class exists only where no worker can load it
     */
    ProcessWorkerStarter(String poolName, PoolConfig config, IntFunction<WorkerSpec> specs, BootstrapHandoff bootstrap,
                         Collection<Class<?>> taskClasses) {
        this.poolName = poolName;
        this.config = config;
        this.specs = specs;
        this.bootstrap = bootstrap;
        ProcessOptions options = config.process();
        List<Class<?>> needed = new ArrayList<>(taskClasses);
        needed.add(ProcessWorkerMain.class);
        List<Path> classPath = new ArrayList<>(WorkerClassSources.entriesFor(needed, config.workerClassPath()));
        classPath.addAll(config.workerClassPath());
        Confinement confinement = Confinement.decide(options.permission(), options.permissionExplicit());
        confinement.checkGrants();
        List<String> jvmArgs = new ArrayList<>(confinement.jvmArgs()); // before the user's, which win
        jvmArgs.addAll(options.jvmArgs());
        WorkerCommand command = new WorkerCommand(ProcessWorkerMain.class.getName())
                .withCommandPrefix(options.commandPrefix())
                .withJvmArgs(jvmArgs)
                .withExtraClassPath(classPath);
        if (options.javaCommand() != null) {
            command = command.withJavaLauncher(options.javaCommand().toString());
        }
        // The automatic AOT cache: used when made already, else trained once a worker is up.
        Optional<WorkerAotCache> aot = WorkerAotCache.of(command);
        List<String> aotArgs = aot.isPresent() ? aot.get().jvmArgs() : List.of();
        if (!aotArgs.isEmpty()) {
            List<String> withCache = new ArrayList<>(command.jvmArgs());
            withCache.addAll(aotArgs);
            command = command.withJvmArgs(withCache);
        }
        this.untrainedCache = aotArgs.isEmpty() ? aot.orElse(null) : null;
        this.launcher = new WorkerLauncher(command).withQuiet(!config.debug()).withConfinement(confinement);
    }

    /**
     * @return whether process workers get a descriptor channel ({@link DescriptorChannel}): where
     *     {@code AF_UNIX} descriptor passing and {@code posix_spawn} (which hands the worker its end)
     *     both work; elsewhere a worker opens its host's descriptors in {@code /proc}
     */
    static boolean handsOverDescriptors() {
        return Channels.AVAILABLE;
    }

    @Override
    public String name(int index) {
        return poolName + "-worker-" + index;
    }

    @Override
    public Incarnation start(int index) {
        long bytes = Lane.requiredBytes(config.laneCapacity(), config.laneCapacity(), config.abortSignalCapacity());
        boolean named = config.process().sharedMemory() == SharedMemoryMode.NAMED;
        String shmName = named ? config.process().namePrefix() + "_" + Long.toString(ProcessHandle.current().pid(), 36)
                + "_" + Long.toUnsignedString(NameRandom.RANDOM.nextLong(), 36)
                + Long.toUnsignedString(NameRandom.RANDOM.nextLong(), 36) : null;
        MappedRegion region = named ? SharedMemory.createNamedWithoutFd(shmName, bytes) // no fd a worker could find
                : SharedMemory.createAnonymous("knitting-lane-" + index, bytes);
        LaneMemory memory = LaneMemory.forProcessWorker(region);
        WorkerProcess process = null;
        DescriptorChannel channel = null;
        boolean ready = false;
        try {
            Lane lane = Lane.format(region.segment(), config.laneCapacity(), config.laneCapacity(),
                    config.abortSignalCapacity(), Waiter.platform());
            Incarnation incarnation = new Incarnation(index, memory, lane, config.idle(),
                    Math.max(config.maxPayloadBytes(), ResponseEncoding.FAILURE_PAYLOAD_FLOOR));
            WorkerSpec spec = specs.apply(index);
            BootData boot = new BootData(BootData.PROTOCOL_VERSION, spec, bytes, config.process().sharedMemory(),
                    named ? shmName : "", WorkerEnv.currentPoolDepth() + 1, ProcessHandle.current().pid(),
                    hostStartMillis, config.debug());
            int[] pair = handsOverDescriptors() ? UnixSockets.socketPair() : null;
            try {
                channel = pair == null ? null : new DescriptorChannel(pair[0], "worker " + index);
                process = launcher.start(name(index), boot, named ? null : region, pair == null ? -1 : pair[1]);
            } finally {
                if (pair != null) {
                    UnixSockets.close(pair[1]); // the worker's end, inherited by now
                }
            }
            ProcessWorker worker = new ProcessWorker(index, process, channel);
            channel = null; // the worker's now
            incarnation.worker(worker);
            WorkerReadiness.await(index, incarnation, bootstrap, config.process().startTimeout(),
                    new java.util.function.Supplier<String>() { // a class: no lambda spun at a cold host's first start
                        @Override
                        public String get() {
                            return worker.stderrTail().isBlank() ? "" : "; stderr tail:\n" + worker.stderrTail();
                        }
                    });
            ready = true;
            if (untrainedCache != null) {
                untrainedCache.trainInBackground(note -> {
                    if (config.debug()) {
                        System.err.println("knitting " + poolName + ": " + note);
                    }
                });
            }
            region.closeDescriptor(); // the worker has mapped its lane: no other worker may find it in our fds
            return incarnation;
        } catch (IOException e) {
            throw new KnittingException("cannot start worker " + index + " (" + String.join(" ",
                    launcher.command().argv()) + "): " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            if (process != null) {
                process.kill();
            }
            throw e;
        } finally {
            if (channel != null) {
                channel.close(); // no worker took it over
            }
            if (named) {
                SharedMemory.unlink(shmName); // the child has mapped it (READY), or will never need it
            }
            if (!ready) {
                memory.release();
            }
        }
    }

    private static final class Channels {
        static final boolean AVAILABLE = DescriptorChannel.unavailableReason().isEmpty()
                && LinuxSpawn.unavailableReason().isEmpty();
    }
}
