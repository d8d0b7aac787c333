package dev.knitting.internal.spawn;

import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.os.Landlock.Grant;
import dev.knitting.internal.os.LinuxSpawn;
import dev.knitting.internal.os.MappedRegion;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Starts worker processes, confined as the pool's {@link Confinement} says: the {@link WorkerCommand},
 * an environment of the base environment (the host's, or a confined worker's allow-list) plus
 * {@link WorkerEnv#BOOT}, {@link WorkerEnv#PROCESS_WORKER} and {@link WorkerEnv#POOL_DEPTH}, and
 * the lane as fd 0 in INHERIT mode.
 *
 * <p>INHERIT: {@code ProcessBuilder} opens the lane's {@code /proc/self/fd/N} in the host
 * (read-only, a new descriptor of the same memfd) and makes it the child's fd 0; the child reopens
 * {@code /proc/self/fd/0} read-write. The memory never has a name. NAMED: fd 0 is the null device.
 * stdout is inherited (configurable); stderr goes into a {@link StderrTail}, echoed to the host's
 * {@code System.err} prefixed with the worker's name unless quiet. Immutable; {@code with*}
 * return copies.
 */
public final class WorkerLauncher {
    private final WorkerCommand command;
    private final Map<String, String> baseEnvironment;
    private final Redirect stdout;
    private final boolean quiet;
    private final int tailLines;
    private final int tailChars;
    private final Confinement confinement;
    /** The Landlock grants every worker of this launcher gets; empty without Landlock. */
    private final List<Grant> grants;

    /** A launcher with the host's environment, inherited stdout, echoed stderr. */
    public WorkerLauncher(WorkerCommand command) {
        this(command, null, Redirect.INHERIT, false, StderrTail.DEFAULT_MAX_LINES, StderrTail.DEFAULT_MAX_CHARS,
                Confinement.none(), List.of());
    }

    private WorkerLauncher(WorkerCommand command, Map<String, String> baseEnvironment, Redirect stdout,
                           boolean quiet, int tailLines, int tailChars, Confinement confinement, List<Grant> grants) {
        this.confinement = Objects.requireNonNull(confinement, "confinement");
        this.grants = List.copyOf(grants);
        this.command = Objects.requireNonNull(command, "command");
        this.baseEnvironment = baseEnvironment == null ? null : Map.copyOf(baseEnvironment);
        this.stdout = Objects.requireNonNull(stdout, "stdout");
        this.quiet = quiet;
        if (tailLines <= 0 || tailChars <= 0) {
            throw new IllegalArgumentException("tailLines=" + tailLines + " and tailChars=" + tailChars
                    + " must be positive");
        }
        this.tailLines = tailLines;
        this.tailChars = tailChars;
    }

    /**
     * @param environment the worker's whole environment before the Knitting variables are added
     *     (an allow-list of the host's), or {@code null} for a copy of the host's
     */
    public WorkerLauncher withBaseEnvironment(Map<String, String> environment) {
        return new WorkerLauncher(command, environment, stdout, quiet, tailLines, tailChars, confinement, grants);
    }

    /** @param redirect where the worker's stdout goes [{@link Redirect#INHERIT}] */
    public WorkerLauncher withStdout(Redirect redirect) {
        return new WorkerLauncher(command, baseEnvironment, redirect, quiet, tailLines, tailChars, confinement, grants);
    }

    /** @param noEcho true to keep stderr in the tail only, without echoing it to {@code System.err} */
    public WorkerLauncher withQuiet(boolean noEcho) {
        return new WorkerLauncher(command, baseEnvironment, stdout, noEcho, tailLines, tailChars, confinement, grants);
    }

    /**
     * @param lines lines kept in the stderr tail
     * @param chars characters kept in the stderr tail
     */
    public WorkerLauncher withTail(int lines, int chars) {
        return new WorkerLauncher(command, baseEnvironment, stdout, quiet, lines, chars, confinement, grants);
    }

    /**
     * @param confined how workers are confined: with Landlock, each is started by its own restricted
     *     thread ({@link ConfinedSpawner}) with the files {@link WorkerFileGrants} lists; when
     *     confined, the base environment is the allow-list of {@link Confinement#environment}
     *     (unless {@link #withBaseEnvironment} set one)
     */
    public WorkerLauncher withConfinement(Confinement confined) {
        List<Grant> files = confined.landlock() ? WorkerFileGrants.of(command, confined.permission())
                : List.of();
        return new WorkerLauncher(command, baseEnvironment, stdout, quiet, tailLines, tailChars, confined, files);
    }

    /** @return the command every worker runs */
    public WorkerCommand command() {
        return command;
    }

    /**
     * Starts one worker.
     *
     * @param name names the stderr thread and prefixes echoed lines
     * @param boot the worker's boot data, encoded into {@link WorkerEnv#BOOT}
     * @param lane the lane in INHERIT mode (its descriptor becomes fd 0; the region stays the host's);
     *     ignored, may be {@code null}, in NAMED mode
     * @throws IOException if the process cannot be started (no such launcher, exec refused)
     */
    public WorkerProcess start(String name, BootData boot, MappedRegion lane) throws IOException {
        return start(name, boot, lane, -1);
    }

    /**
     * Starts one worker, handing it {@code descriptors} (its end of the descriptor channel) as its
     * fd {@value LinuxSpawn#INHERITED_FD}, named in {@link WorkerEnv#DESCRIPTORS}. A worker with a
     * channel is started with {@code posix_spawn} ({@link ConfinedSpawner}), so its stdout must be
     * inherited or a file.
     *
     * @param descriptors the worker's end of its descriptor channel (the caller closes its copy
     *     afterwards), or -1 for none
     * @throws IOException if the process cannot be started (no such launcher, exec refused)
     */
    public WorkerProcess start(String name, BootData boot, MappedRegion lane, int descriptors) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(boot, "boot");
        ProcessBuilder builder = new ProcessBuilder(command.argv());
        Map<String, String> env = builder.environment();
        Map<String, String> base = baseEnvironment != null ? baseEnvironment : confinement.environment(System.getenv());
        if (base != null) {
            env.clear();
            env.putAll(base);
        }
        env.put(WorkerEnv.BOOT, boot.encode());
        env.put(WorkerEnv.PROCESS_WORKER, "1");
        env.put(WorkerEnv.POOL_DEPTH, Integer.toString(boot.poolDepth()));
        if (boot.shmMode() == SharedMemoryMode.INHERIT) {
            Objects.requireNonNull(lane, "lane (INHERIT mode hands it over as fd 0)");
            if (!lane.isOpen()) {
                throw new IllegalArgumentException("lane " + lane + " is closed");
            }
            builder.redirectInput(lane.fdPath().toFile());
        } else {
            builder.redirectInput(nullDevice());
        }
        builder.redirectOutput(stdout);
        builder.redirectError(Redirect.PIPE);
        if (confinement.confined()) {
            env.put(WorkerEnv.CONFINE, confinement.spec().encode());
        }
        Process process;
        if (confinement.landlock() || descriptors >= 0) {
            if (descriptors >= 0) {
                env.put(WorkerEnv.DESCRIPTORS, Integer.toString(LinuxSpawn.INHERITED_FD));
            }
            process = ConfinedSpawner.start(builder.command(), env, boot.shmMode() == SharedMemoryMode.INHERIT ? lane.fd() : -1,
                    stdoutFile(), descriptors, grants, confinement.permission().network(), confinement.landlock());
        } else {
            process = builder.start();
        }
        PrintStream echo = quiet ? null : System.err;
        StderrTail tail = StderrTail.start(process.getErrorStream(), name, echo, tailLines, tailChars);
        return new WorkerProcess(name, process, tail);
    }

    /** @return the file a confined worker's stdout is opened on, {@code null} for the host's stdout */
    private String stdoutFile() {
        if (stdout.type() == Redirect.Type.INHERIT) {
            return null;
        }
        if (stdout.type() == Redirect.Type.WRITE) {
            return stdout.file().getPath(); // DISCARD is a WRITE to the null device
        }
        throw new IllegalStateException("stdout=" + stdout + " is not supported for confined workers: only inherited"
                + " or written to a file");
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
