package dev.knitting.internal.spawn;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The automatic AOT cache of worker JVMs (JDK 25+, JEP 483/514): one file per worker command line,
 * under the user's cache folder, made once by a training run in the background and used by every
 * worker started with that command line afterwards. A worker JVM that loads and links its classes
 * from the cache boots with about half the CPU and a quarter less private memory (see the
 * README's start-up figures).
 *
 * <p><b>When.</b> Only for a command the JDK can cache: class path of jar files only (no
 * directory, no module path), no command prefix, JDK 25 or later, and no JVM option of the user's
 * that chooses a CDS or AOT archive itself ({@code -XX:AOTCache}, {@code -XX:SharedArchiveFile},
 * {@code -Xshare} and friends). System property {@value #PROPERTY} (else environment variable
 * {@value #ENV}): {@code auto} (the default), {@code off}, or the folder to keep caches in instead of {@code $XDG_CACHE_HOME/knitting/aot}
 * ({@code ~/.cache/knitting/aot} without it).
 *
 * <p><b>Key.</b> The file is named by a digest of the whole worker command line (launcher, JVM
 * options, class path) and of each jar's and the launcher's size and modification time: a new
 * build, another JDK or other options find no file and train a new one; old files are left for
 * the user to clear.
 *
 * <p><b>Safety.</b> The training run ({@code AotTrainingMain}) runs Knitting's own code only, never
 * a task class, with the workers' command line plus {@code -XX:AOTCacheOutput} (and without
 * method profiles, see {@code NO_PROFILES}), unconfined (the JVM starts a child to assemble the
 * cache); it writes a file of its own, renamed into place atomically once the JVM exited with 0,
 * so a half-written cache is never seen. One lock file per key (created exclusively, taken over
 * after {@link #LOCK_STALE}) makes concurrent pools, in this JVM or others, train once. Workers get
 * {@code -XX:AOTCache} with {@code -XX:+VerifySharedSpaces}: the JVM checks the file's checksums and
 * runs without it when it is corrupt, stale or for another JVM ({@code AOTMode=auto}, its messages
 * silenced by {@code -Xlog:aot=off,cds=off}); a bad cache never fails a start.
 */
public final class WorkerAotCache {
    /** The system property: {@code auto} [default], {@code off}, or a cache folder. */
    public static final String PROPERTY = "knitting.workerAotCache";
    /** The environment variable read when the property is not set, with the same values. */
    public static final String ENV = "KNITTING_WORKER_AOT_CACHE";
    /** A lock older than this belongs to a training run that died: it is taken over. */
    static final Duration LOCK_STALE = Duration.ofMinutes(10);
    /** After a failed training, hosts try again only once this has passed. */
    static final Duration FAILED_RETRY = Duration.ofDays(1);
    /** A training run taking longer than this is killed. */
    static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(5);
    /**
     * Options of the training only: the cache keeps loaded and linked classes but not the training's
     * method profiles (JEP 515). Replayed in every worker, they made its JIT compile the training's
     * hot paths during the boot, about a fifth of a worker's boot CPU, with no gain measured in its
     * first calls. The flag is diagnostic; an unknown option must not fail the training on another JDK.
     */
    static final List<String> NO_PROFILES = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining");
    /** The training run's main class. */
    static final String TRAINING_ENTRY = "dev.knitting.internal.worker.AotTrainingMain";
    /** Options of the user's that choose an archive or cache: no automatic cache then. */
    private static final List<String> ARCHIVE_OPTIONS = List.of("-XX:AOT", "-XX:SharedArchiveFile",
            "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-Xshare", "-XX:-UseCompressedClassPointers");
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    /** An odd multiplier of well-mixed bits for the second lane. */
    private static final long SECOND_PRIME = 0x9e3779b97f4a7c15L;
    /** Keys trained (or being trained) by this JVM: at most one training per key and JVM. */
    private static final Set<String> TRAINED_HERE = ConcurrentHashMap.newKeySet();

    private final WorkerCommand command;
    private final Path folder;
    private final String key;

    private WorkerAotCache(WorkerCommand command, Path folder, String key) {
        this.command = command;
        this.folder = folder;
        this.key = key;
    }

    /**
     * @param command the workers' command line
     * @return the cache of that command line, or empty when it cannot have one (see the class comment)
     */
    public static Optional<WorkerAotCache> of(WorkerCommand command) {
        String setting = System.getProperty(PROPERTY);
        if (setting == null) {
            setting = Objects.requireNonNullElse(System.getenv(ENV), "auto");
        }
        return of(command, setting, System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home", ""));
    }

    /**
     * @param setting {@code auto}, {@code off} or a folder
     * @param xdgCacheHome {@code $XDG_CACHE_HOME}, may be null
     * @param userHome {@code user.home}
     */
    static Optional<WorkerAotCache> of(WorkerCommand command, String setting, String xdgCacheHome, String userHome) {
        if (setting.equalsIgnoreCase("off") || Runtime.version().feature() < 25 || !command.commandPrefix().isEmpty()
                || command.host().modular() || !command.host().modulePath().isEmpty()) {
            return Optional.empty();
        }
        for (String option : command.jvmArgs()) { // loops, not streams: a cold host runs this before its first worker
            for (String archive : ARCHIVE_OPTIONS) {
                if (option.startsWith(archive)) {
                    return Optional.empty();
                }
            }
        }
        List<Path> classPath = classPath(command);
        if (classPath.isEmpty()) {
            return Optional.empty();
        }
        for (Path entry : classPath) {
            if (!isJar(entry)) {
                return Optional.empty();
            }
        }
        Path folder;
        if (!setting.equalsIgnoreCase("auto")) {
            folder = Path.of(setting);
        } else if (xdgCacheHome != null && Path.of(xdgCacheHome).isAbsolute()) {
            folder = Path.of(xdgCacheHome, "knitting", "aot");
        } else if (!userHome.isEmpty()) {
            folder = Path.of(userHome, ".cache", "knitting", "aot");
        } else {
            return Optional.empty();
        }
        try {
            return Optional.of(new WorkerAotCache(command, folder.toAbsolutePath(), key(command, classPath)));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty(); // a jar or the launcher vanished meanwhile: no cache this time
        }
    }

    /** @return the cache file (it may not exist yet) */
    public Path file() {
        return folder.resolve("worker-" + key + ".aot");
    }

    /** @return the JVM options that make a worker use the cache, or empty while there is none */
    public List<String> jvmArgs() {
        Path file = file();
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return List.of("-XX:AOTCache=" + file, "-XX:+VerifySharedSpaces", "-Xlog:aot=off,cds=off");
    }

    /**
     * Starts the training run on a daemon thread unless the cache exists, this JVM trained this key
     * already, or another training holds the lock. Never throws.
     *
     * @param notes told what happened (for debug output)
     * @return whether a training run was started
     */
    public boolean trainInBackground(Consumer<String> notes) {
        if (Files.isRegularFile(file()) || failedRecently() || !TRAINED_HERE.add(key)) {
            return false;
        }
        Path lock = folder.resolve("worker-" + key + ".lock");
        try {
            Files.createDirectories(folder);
            if (!takeLock(lock)) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            notes.accept("no AOT cache for workers: cannot use " + folder + ": " + e);
            return false;
        }
        Thread.ofPlatform().daemon().name("knitting-aot-training").start(() -> {
            try {
                notes.accept(train(lock));
            } catch (IOException | RuntimeException e) {
                notes.accept("the AOT training of workers failed: " + e);
                try {
                    Files.deleteIfExists(lock);
                } catch (IOException ignored) {
                    // stale after LOCK_STALE: taken over by the next training
                }
            }
        });
        return true;
    }

    /**
     * Runs the training and waits for it on this thread (the lock is the caller's). The training JVM
     * runs under {@code /bin/sh}, which moves the file into place and removes the lock once the JVM
     * exited with 0: that outlives a host that exits first (a short program trains for the next).
     *
     * @return what happened, one line
     */
    String train(Path lock) throws IOException {
        Path temporary = folder.resolve("worker-" + key + ".aot." + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().threadId() + ".tmp");
        List<String> jvmArgs = new ArrayList<>(command.jvmArgs());
        jvmArgs.addAll(NO_PROFILES);
        jvmArgs.add("-XX:AOTCacheOutput=" + temporary);
        WorkerCommand training = new WorkerCommand(TRAINING_ENTRY, command.host(), command.javaLauncher(),
                List.of(), jvmArgs, command.extraClassPath());
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", TRAINING_SCRIPT, "knitting-aot-training",
                temporary.toString(), file().toString(), lock.toString()));
        argv.addAll(training.argv());
        ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(Redirect.DISCARD)
                .redirectError(Redirect.DISCARD).redirectInput(Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf(name -> name.startsWith("KNITTING_")); // a host of its own
        long t0 = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(TRAINING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                Files.deleteIfExists(temporary);
                Files.deleteIfExists(lock);
                return "the AOT training of workers took over " + TRAINING_TIMEOUT + " and was stopped";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "stopped waiting for the AOT training of workers (interrupted); it goes on";
        }
        return Files.isRegularFile(file()) ? "AOT cache for workers made in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms: " + file()
                : "the AOT training of workers exited with " + process.exitValue() + " and made no cache";
    }

    /**
     * {@code $1} the training's file, {@code $2} the cache file, {@code $3} the lock, then the JVM's
     * command line: run it, move its file into place (rename(2), atomic in one folder) if it exited
     * with 0 and wrote one, else leave the {@code .failed} marker, and clean up whatever happened.
     */
    private static final String TRAINING_SCRIPT = "t=\"$1\"; f=\"$2\"; l=\"$3\"; shift 3; "
            + "if \"$@\" && [ -s \"$t\" ]; then mv -f \"$t\" \"$f\"; else : > \"$f.failed\"; fi; "
            + "rm -f \"$t\" \"$t.config\" \"$l\"";

    /** @return whether a training of this key failed less than {@link #FAILED_RETRY} ago */
    boolean failedRecently() {
        try {
            return Files.getLastModifiedTime(failedMarker()).toInstant().isAfter(Instant.now().minus(FAILED_RETRY));
        } catch (IOException noMarker) {
            return false;
        }
    }

    /** @return the marker a failed training leaves, so that every new host does not train again at once */
    Path failedMarker() {
        return Path.of(file() + ".failed");
    }

    /** @return whether this process holds the lock now (a stale one is taken over once) */
    private static boolean takeLock(Path lock) throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.createFile(lock);
                return true;
            } catch (FileAlreadyExistsException held) {
                FileTime since;
                try {
                    since = Files.getLastModifiedTime(lock);
                } catch (IOException goneMeanwhile) {
                    continue;
                }
                if (since.toInstant().isAfter(Instant.now().minus(LOCK_STALE))) {
                    return false;
                }
                Files.deleteIfExists(lock);
            }
        }
        return false;
    }

    private static List<Path> classPath(WorkerCommand command) {
        List<Path> entries = new ArrayList<>();
        for (String entry : command.host().classPath().split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry));
            }
        }
        entries.addAll(command.extraClassPath());
        return entries;
    }

    private static boolean isJar(Path entry) {
        return entry.getFileName() != null && entry.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar")
                && Files.isRegularFile(entry);
    }

    /**
     * A 96-bit key of the command line and of the files it names (size and modification time):
     * two FNV-1a lanes of different primes over the parts, each part ended by a 0 byte. Not a
     * cryptographic digest, on purpose: a cold host would load the JDK's security providers for
     * one (~30 ms before its first worker), and a collision could only hand a worker a cache the
     * JVM then rejects for its class path or version (see the class comment), never a wrong start.
     */
    static String key(WorkerCommand command, List<Path> classPath) throws IOException {
        List<String> parts = new ArrayList<>(command.argv());
        parts.add(System.getProperty("java.vm.version", ""));
        List<Path> files = new ArrayList<>(classPath);
        files.add(Path.of(command.javaLauncher()));
        for (Path file : files) {
            Path real = file.toRealPath();
            parts.add(real + " " + Files.size(real) + " " + Files.getLastModifiedTime(real).toMillis());
        }
        long a = FNV_OFFSET;
        long b = ~FNV_OFFSET;
        for (String part : parts) {
            for (byte x : part.getBytes(StandardCharsets.UTF_8)) {
                a = (a ^ (x & 0xff)) * FNV_PRIME;
                b = (b ^ (x & 0xff)) * SECOND_PRIME;
            }
            a *= FNV_PRIME; // the 0 byte that ends a part: XOR with 0 changes nothing
            b *= SECOND_PRIME;
        }
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(a) + hex.toHexDigits((int) (b >>> 32));
    }
}
