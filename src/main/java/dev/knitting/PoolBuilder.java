package dev.knitting;

import dev.knitting.internal.host.BootstrapOption;
import dev.knitting.internal.host.PoolConfig;
import dev.knitting.internal.host.ProcessOptions;
import dev.knitting.internal.host.PoolRuntime;
import dev.knitting.internal.task.JavaNames;
import dev.knitting.internal.task.TaskTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Options of a pool, one fluent setter each; every setter checks its argument at once and names
 * the option and value in its {@link IllegalArgumentException}. Obtain one with
 * {@link Knitting#pool()}. Not thread-safe; reusable: each {@code start} starts a new pool.
 */
public final class PoolBuilder {
    private int threads = 1;
    private WorkerRuntime runtime = WorkerRuntime.THREAD;
    private Balancer balancer = Balancer.ROUND_ROBIN;
    private long maxPayloadBytes = PoolConfig.DEFAULT_MAX_PAYLOAD_BYTES;
    private int abortSignalCapacity = PoolConfig.DEFAULT_ABORT_CAPACITY;
    private Duration hardTimeout;
    private int inlineThreshold;
    private int laneCapacity = PoolConfig.DEFAULT_LANE_CAPACITY;
    private IdlePolicy idle = IdlePolicy.BALANCED;
    private boolean debug = System.getenv("KNITTING_DEBUG") != null && !System.getenv("KNITTING_DEBUG").isEmpty();
    private final Set<String> allowedPackages = new LinkedHashSet<>();
    private Path javaCommand;
    private List<String> jvmArgs = List.of();
    private List<String> commandPrefix = List.of();
    private SharedMemoryMode sharedMemory = SharedMemoryMode.INHERIT;
    private String namePrefix = ProcessOptions.DEFAULTS.namePrefix();
    private List<Path> workerClassPath = List.of();
    private Duration workerStartTimeout = ProcessOptions.DEFAULTS.startTimeout();
    private BootstrapOption bootstrap;
    private Permission permission;

    PoolBuilder() {
    }

    /**
     * Sets how many workers the pool runs.
     *
     * @param count the number of workers [1]; 0 is allowed only with {@link #inlineLane(int)}
     * @return this builder
     */
    public PoolBuilder threads(int count) {
        if (count < 0 || count > 1024) {
            throw new IllegalArgumentException("threads=" + count + " must be in [0, 1024]");
        }
        this.threads = count;
        return this;
    }

    /**
     * Sets the kind of worker: threads of this JVM or separate JVM processes.
     *
     * @param runtime where workers run [{@link WorkerRuntime#THREAD}]
     * @return this builder
     */
    public PoolBuilder runtime(WorkerRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        return this;
    }

    /**
     * Sets how the pool picks a lane for each call.
     *
     * @param balancer how calls are spread over lanes [{@link Balancer#ROUND_ROBIN}]
     * @return this builder
     */
    public PoolBuilder balancer(Balancer balancer) {
        this.balancer = Objects.requireNonNull(balancer, "balancer");
        return this;
    }

    /**
     * Sets the size limit of one call's encoded argument and of its encoded result.
     *
     * @param bytes the largest encoded argument or result of one call [8 MiB]; larger payloads
     *        fail their call with {@link PayloadException}
     * @return this builder
     */
    public PoolBuilder maxPayloadBytes(long bytes) {
        if (bytes < 1 || bytes > PoolConfig.MAX_PAYLOAD_LIMIT) {
            throw new IllegalArgumentException("maxPayloadBytes=" + bytes + " must be in [1, "
                    + PoolConfig.MAX_PAYLOAD_LIMIT + "]");
        }
        this.maxPayloadBytes = bytes;
        return this;
    }

    /**
     * Sets how many abort-aware calls one lane may run at once.
     *
     * @param slots how many abort-aware calls one lane may run at once [258]
     * @return this builder
     */
    public PoolBuilder abortSignalCapacity(int slots) {
        if (slots < 1 || slots > (1 << 20)) {
            throw new IllegalArgumentException("abortSignalCapacity=" + slots + " must be in [1, 1048576]");
        }
        this.abortSignalCapacity = slots;
        return this;
    }

    /**
     * Sets a hard limit on how long a call may run at its worker.
     *
     * @param limit a limit on every call's running time at its worker [none], counted from when the
     *        worker takes the call (queueing does not count): past it the call fails with
     *        {@link TaskTimeoutException} and its abort flag is raised; a process worker running it is
     *        killed and replaced (other calls it had taken fail with {@link WorkerCrashedException},
     *        calls it had not taken go to the replacement), a thread worker is interrupted
     * @return this builder
     */
    public PoolBuilder hardTimeout(Duration limit) {
        Objects.requireNonNull(limit, "hardTimeout");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("hardTimeout=" + limit + " must be positive");
        }
        this.hardTimeout = limit;
        return this;
    }

    /**
     * Adds the inline lane: once {@code threshold} calls are in flight, the balancer may also pick
     * the calling thread, which then runs the call itself (arguments and results still go through
     * the codec, so behaviour is the same as on a worker).
     *
     * @param threshold in-flight calls from which the inline lane takes part [off]
     * @return this builder
     */
    public PoolBuilder inlineLane(int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("inlineLane threshold=" + threshold + " must be >= 1");
        }
        this.inlineThreshold = threshold;
        return this;
    }

    /**
     * Sets the size of each lane's two rings.
     *
     * @param bytes the size of each of a lane's two rings, a power of two in [4 KiB, 1 GiB]
     *        [1 MiB]; larger payloads still work, in fragments
     * @return this builder
     */
    public PoolBuilder laneCapacity(int bytes) {
        if (bytes < 4096 || bytes > (1 << 30) || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("laneCapacity=" + bytes
                    + " must be a power of two in [4096, 1073741824]");
        }
        this.laneCapacity = bytes;
        return this;
    }

    /**
     * Sets how waiting threads spin, yield and park.
     *
     * @param policy how waiting threads spin, yield and park [{@link IdlePolicy#BALANCED}]
     * @return this builder
     */
    public PoolBuilder idle(IdlePolicy policy) {
        this.idle = Objects.requireNonNull(policy, "idle");
        return this;
    }

    /**
     * Raises the pool's lifecycle lines to {@code INFO}.
     *
     * @param enabled lifecycle lines through the {@link System.Logger} {@code dev.knitting} at {@code INFO}
     *        instead of {@code DEBUG}, and process workers' standard error echoed [on when
     *        {@code KNITTING_DEBUG} is set]
     * @return this builder
     */
    public PoolBuilder debug(boolean enabled) {
        this.debug = enabled;
        return this;
    }

    /**
     * Sets the {@code java} launcher that starts process workers.
     *
     * @param launcher the {@code java} launcher for process workers [the running JVM's]
     * @return this builder
     */
    public PoolBuilder javaCommand(Path launcher) {
        Objects.requireNonNull(launcher, "javaCommand");
        if (launcher.toString().isBlank()) {
            throw new IllegalArgumentException("javaCommand=" + launcher + " is empty");
        }
        this.javaCommand = launcher;
        return this;
    }

    /**
     * Sets JVM arguments for process workers.
     *
     * @param arguments extra JVM arguments for process workers, such as {@code -Xmx256m} [none]
     * @return this builder
     */
    public PoolBuilder jvmArgs(String... arguments) {
        this.jvmArgs = checkedArguments("jvmArgs", arguments);
        return this;
    }

    /**
     * Sets words put before the launcher on a process worker's command line.
     *
     * @param prefix argv put before the launcher of process workers, such as
     *        {@code "taskset", "-c", "1"} or a sandbox like bwrap [none]
     * @return this builder
     */
    public PoolBuilder commandPrefix(String... prefix) {
        this.commandPrefix = checkedArguments("commandPrefix", prefix);
        return this;
    }

    /**
     * Sets how process workers reach their lane memory.
     *
     * @param mode how process workers reach their lane memory [{@link SharedMemoryMode#INHERIT}]
     * @return this builder
     */
    public PoolBuilder sharedMemory(SharedMemoryMode mode) {
        this.sharedMemory = Objects.requireNonNull(mode, "sharedMemory");
        return this;
    }

    /**
     * Sets the start of the names of {@link SharedMemoryMode#NAMED} shared-memory objects.
     *
     * @param prefix the start of NAMED shared-memory object names, 1 to 8 characters of
     *        {@code [A-Za-z0-9_]} ["knit"]; a random part follows
     * @return this builder
     */
    public PoolBuilder sharedMemoryNamePrefix(String prefix) {
        if (prefix == null || !prefix.matches("[A-Za-z0-9_]{1,8}")) {
            throw new IllegalArgumentException("sharedMemoryNamePrefix=" + prefix + " must be 1 to 8 of [A-Za-z0-9_]");
        }
        this.namePrefix = prefix;
        return this;
    }

    /**
     * Sets what process workers may do outside their lanes: their environment, files, network,
     * programs and other processes (see {@link Permission}).
     *
     * @param permission the confinement of process workers [{@link Permission#strict()} for
     *        {@link WorkerRuntime#PROCESS}]; a THREAD pool accepts only {@link Permission#unsafe()}
     *        (its workers are threads of this process), any other fails {@code start}
     * @return this builder
     */
    public PoolBuilder permission(Permission permission) {
        this.permission = Objects.requireNonNull(permission, "permission");
        return this;
    }

    /**
     * Class path entries (directories or jars) that only workers load classes from, such as the
     * classes of {@link Task#imported imported tasks} and of the {@link #bootstrap bootstrap}.
     * Process workers get them on their class path after the host's; thread workers load through
     * one class loader per pool over these entries whose parent is the host's loader, so a class
     * the host has is always the host's own.
     *
     * @param entries class path entries for workers only [none]
     * @return this builder
     */
    public PoolBuilder workerClassPath(Path... entries) {
        Objects.requireNonNull(entries, "workerClassPath");
        for (Path entry : entries) {
            if (entry == null || entry.toString().isBlank()) {
                throw new IllegalArgumentException("workerClassPath entry=" + entry + " is empty");
            }
        }
        this.workerClassPath = List.of(entries);
        return this;
    }

    /**
     * Sets how long a process worker may take to start.
     *
     * @param limit how long a process worker may take to start and become ready [60 s]
     * @return this builder
     */
    public PoolBuilder workerStartTimeout(Duration limit) {
        Objects.requireNonNull(limit, "workerStartTimeout");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("workerStartTimeout=" + limit + " must be positive");
        }
        this.workerStartTimeout = limit;
        return this;
    }

    /**
     * Runs {@code className.method(data)} once on every worker (every thread worker and every
     * process worker, replacements after a crash included), on the worker, before it loads its
     * task classes: to load a native library, configure logging or prepare per-worker state that
     * the tasks' classes use when they initialise. The class is loaded like an imported task's:
     * from the worker's class path plus {@link #workerClassPath}; the host need not have it.
     *
     * {@snippet :
     * Knitting.pool().threads(4).bootstrap("com.example.Boot", "init", Map.of("model", "/models/a.bin"))
     *         .start(Tasks.class);
     * }
     *
     * Thread workers share the host's classes: a task class the host has loaded already (every
     * class passed to {@code start}) was initialised before any bootstrap ran; classes only workers
     * load, such as those of imported tasks, come after it. The bootstrap runs on the worker's own
     * thread, which also runs its synchronous tasks.
     *
     * <p>The method is public static with one parameter, which receives {@code data}, or none. The
     * data is any payload value (see {@link Pool}); it travels like a call's argument, and
     * {@code start} fails with {@link PayloadException} if it cannot. A bootstrap that throws, or that a worker
     * cannot find, fails {@code start} with a {@link KnittingException} carrying its message. A
     * bootstrap cannot be combined with the {@link #inlineLane(int) inline lane}, whose calls run on
     * the calling thread where no bootstrap ran: {@code start} then fails with
     * {@link IllegalStateException}.
     *
     * @param className the binary name of a public class, such as {@code com.example.Boot}
     * @param method the name of a public static method of it with one parameter or none
     * @param data what the method receives (may be {@code null})
     * @return this builder
     */
    public PoolBuilder bootstrap(String className, String method, Object data) {
        if (!JavaNames.isBinaryClassName(className)) {
            throw new IllegalArgumentException("bootstrap className=" + className + " is not a binary class name"
                    + " (such as com.example.Boot)");
        }
        if (!JavaNames.isIdentifier(method)) {
            throw new IllegalArgumentException("bootstrap method=" + method + " is not a method name");
        }
        this.bootstrap = new BootstrapOption(className, method, data);
        return this;
    }

    private static List<String> checkedArguments(String option, String... arguments) {
        Objects.requireNonNull(arguments, option);
        for (String argument : arguments) {
            if (argument == null || argument.isEmpty() || argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(option + " argument=" + argument + " is empty or has a NUL");
            }
        }
        return List.of(arguments);
    }

    /**
     * Allows records and enums of more packages as payloads, besides those of the task classes.
     *
     * @param packageNames package names such as {@code "com.example.model"}
     * @return this builder
     */
    public PoolBuilder allowPackages(String... packageNames) {
        for (String name : packageNames) {
            if (name == null || name.isBlank() || !name.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
                throw new IllegalArgumentException("allowPackages name=" + name + " is not a package name");
            }
            allowedPackages.add(name);
        }
        return this;
    }

    /**
     * Starts a pool whose tasks are the exported tasks of these classes: their
     * {@code public static final Task} fields and their public static one-parameter methods.
     *
     * @param taskClasses public classes declaring tasks
     * @return the running pool
     */
    public Pool start(Class<?>... taskClasses) {
        PoolConfig config = PoolRuntime.prepare(config());
        return PoolRuntime.start(config, TaskTable.fromClasses(taskClasses));
    }

    /**
     * Starts a pool for these tasks. Each must be a {@code public static final} field of a public
     * class (found from where the task was created).
     *
     * @param tasks exported tasks
     * @return the running pool
     */
    public Pool start(Task<?, ?>... tasks) {
        PoolConfig config = PoolRuntime.prepare(config());
        return PoolRuntime.start(config, TaskTable.fromTasks(tasks));
    }

    private PoolConfig config() {
        if (threads == 0 && inlineThreshold == 0) {
            throw new IllegalArgumentException("threads=0 needs the inline lane (inlineLane(threshold))");
        }
        if (bootstrap != null && inlineThreshold > 0) {
            throw new IllegalStateException("bootstrap(" + bootstrap.className() + ", " + bootstrap.method()
                    + ") cannot be combined with the inline lane (inlineLane(" + inlineThreshold + ")): inline calls"
                    + " run on the calling thread, where no bootstrap ran");
        }
        if (runtime == WorkerRuntime.THREAD && permission != null && permission.confined()) {
            throw new IllegalStateException("permission=" + permission + " needs runtime(PROCESS): thread workers"
                    + " share this process, nothing can confine them; use Permission.unsafe() or no permission");
        }
        return new PoolConfig(threads, runtime, balancer, maxPayloadBytes, abortSignalCapacity, hardTimeout,
                inlineThreshold, laneCapacity, idle, debug, allowedPackages, workerClassPath, bootstrap,
                new ProcessOptions(javaCommand, jvmArgs, commandPrefix, sharedMemory, namePrefix, workerStartTimeout,
                        permission == null ? Permission.strict() : permission, permission != null));
    }
}
