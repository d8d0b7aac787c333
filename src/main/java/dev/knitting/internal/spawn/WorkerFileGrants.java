package dev.knitting.internal.spawn;

import dev.knitting.Permission;
import dev.knitting.internal.os.Landlock.Access;
import dev.knitting.internal.os.Landlock.Grant;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The files a Landlock-confined worker may read or write: the JDK of its launcher, its class path and
 * module path (and the jars their manifests' {@code Class-Path} names), the files its JVM options
 * name ({@link #jvmOptionPaths}), the launch prefix's program,
 * what a JVM reads while it boots ({@link #BOOT_READS}, found by tracing a confined worker's boot),
 * the C libraries the host JVM has mapped, POSIX shared memory by name ({@link #SHM}), and the
 * permission's grants. Paths that do not exist are
 * left out (a class path may name missing directories).
 */
final class WorkerFileGrants {
    /** Read by a JVM while it boots, or by the JDK classes every worker uses; all world-readable. */
    static final List<String> BOOT_READS = List.of(
            "/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
            "/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo",
            "/dev/zero", "/dev/random", "/dev/urandom",
            "/proc/stat", "/proc/meminfo", "/proc/cpuinfo", "/proc/cgroups", "/proc/sys/vm/mmap_min_addr",
            "/sys/devices/system/cpu", "/sys/kernel/mm/transparent_hugepage");
    /**
     * POSIX shared memory: files a worker may open by name, never list, create or remove. A name is
     * the capability: a NAMED lane's is unguessable, a named {@code ProcessSharedBuffer}'s is what
     * the host chose to share.
     */
    static final Path SHM = Path.of("/dev/shm");
    /** Writable: discarding output is harmless. */
    static final List<String> BOOT_WRITES = List.of("/dev/null");

    private WorkerFileGrants() {
    }

    /** Grants by command line and permission: computing them reads every jar's manifest. */
    private static final Map<List<Object>, List<Grant>> CACHE = new ConcurrentHashMap<>();

    /** @return the grants, each path once (computed once per JVM for a command line and permission) */
    static List<Grant> of(WorkerCommand command, Permission permission) {
        // A cold host computes this before its first worker: loops, not lambdas or streams (no class spun).
        List<Object> key = List.of(command.argv(), permission);
        List<Grant> grants = CACHE.get(key);
        if (grants == null) {
            grants = compute(command, permission);
            List<Grant> raced = CACHE.putIfAbsent(key, grants);
            grants = raced != null ? raced : grants;
        }
        return grants;
    }

    private static List<Grant> compute(WorkerCommand command, Permission permission) {
        Set<Path> reads = new LinkedHashSet<>();
        reads.add(javaHome(command.javaLauncher()));
        reads.add(Path.of(System.getProperty("java.home")));
        HostLaunch host = command.host();
        for (String list : List.of(host.classPath(), host.modulePath())) {
            for (String entry : list.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    addClassPathEntry(reads, Path.of(entry));
                }
            }
        }
        for (Path entry : command.extraClassPath()) {
            addClassPathEntry(reads, entry);
        }
        for (String option : command.jvmArgs()) {
            for (Path path : jvmOptionPaths(option)) {
                addClassPathEntry(reads, path);
            }
        }
        if (!command.commandPrefix().isEmpty()) {
            Optional<Path> program = executable(command.commandPrefix().getFirst());
            if (program.isPresent()) {
                reads.add(program.get());
            }
        }
        for (String p : BOOT_READS) {
            reads.add(Path.of(p));
        }
        reads.addAll(MappedLibraries.PATHS);
        reads.addAll(permission.reads());
        List<Grant> grants = new ArrayList<>();
        for (Path path : reads) {
            if (Files.exists(path)) {
                grants.add(new Grant(path.toAbsolutePath().normalize(), Access.READ));
            }
        }
        List<Path> writes = new ArrayList<>(permission.writes());
        for (String p : BOOT_WRITES) {
            writes.add(Path.of(p));
        }
        for (Path path : writes) {
            if (Files.exists(path)) {
                grants.add(new Grant(path.toAbsolutePath().normalize(), Access.WRITE));
            }
        }
        if (Files.isDirectory(SHM)) {
            grants.add(new Grant(SHM, Access.OPEN_BY_NAME));
        }
        return List.copyOf(grants);
    }

    /**
     * @return the files a JVM option makes the JVM read: {@code -javaagent:}, {@code -agentpath:},
     *     {@code -Xbootclasspath/a:}, {@code -XX:SharedArchiveFile=}, {@code -XX:AOTCache=},
     *     {@code -Djava.library.path=}, {@code -Djava.class.path=}
     */
    static List<Path> jvmOptionPaths(String option) {
        for (String prefix : List.of("-javaagent:", "-agentpath:")) {
            if (option.startsWith(prefix)) {
                String file = option.substring(prefix.length());
                int equals = file.indexOf('=');
                return paths(equals < 0 ? file : file.substring(0, equals));
            }
        }
        for (String prefix : List.of("-Xbootclasspath/a:", "-Xbootclasspath/p:", "-XX:SharedArchiveFile=",
                "-XX:AOTCache=", "-Djava.library.path=", "-Djava.class.path=")) {
            if (option.startsWith(prefix)) {
                return paths(option.substring(prefix.length()));
            }
        }
        return List.of();
    }

    private static List<Path> paths(String list) {
        List<Path> paths = new ArrayList<>();
        for (String item : list.split(File.pathSeparator)) {
            try {
                if (!item.isEmpty()) {
                    paths.add(Path.of(item));
                }
            } catch (InvalidPathException e) {
                // the JVM will refuse it too
            }
        }
        return paths;
    }

    /** @return {@code <home>} of {@code <home>/bin/java}, else the launcher's directory */
    private static Path javaHome(String launcher) {
        Path java = Path.of(launcher).toAbsolutePath();
        try {
            java = java.toRealPath();
        } catch (IOException e) {
            // a launcher found on PATH, or missing: its directory is the best guess; start will say if it fails
        }
        Path bin = java.getParent();
        return bin != null && bin.getFileName() != null && bin.getFileName().toString().equals("bin")
                && bin.getParent() != null ? bin.getParent() : bin == null ? java : bin;
    }

    /** Adds an entry, and for a jar the entries its manifest's {@code Class-Path} names. */
    private static void addClassPathEntry(Set<Path> reads, Path entry) {
        Path absolute = entry.toAbsolutePath().normalize();
        if (!reads.add(absolute) || !Files.isRegularFile(absolute)) {
            return;
        }
        try (JarFile jar = new JarFile(absolute.toFile())) {
            Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null) {
                return;
            }
            for (String item : classPath.trim().split("\\s+")) {
                manifestEntry(absolute.getParent(), item).ifPresent(reads::add);
            }
        } catch (IOException | SecurityException e) {
            // not a jar: the file itself is granted, which is all a worker can use of it
        }
    }

    /** @return a {@code Class-Path} item (a relative URL, or a file: URL) as a path */
    private static Optional<Path> manifestEntry(Path base, String item) {
        try {
            if (item.startsWith("file:")) {
                return Optional.of(Path.of(URI.create(item)).normalize());
            }
            String decoded = URLDecoder.decode(item, StandardCharsets.UTF_8);
            return Optional.of(base.resolve(decoded).normalize());
        } catch (IllegalArgumentException e) { // InvalidPathException included
            return Optional.empty();
        }
    }

    /** @return the file {@code name} runs: itself when it has a slash, else the first match on PATH */
    private static Optional<Path> executable(String name) {
        if (name.contains("/")) {
            return Optional.of(Path.of(name));
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The shared libraries this JVM has mapped from outside its JDK ({@code /proc/self/maps}): libc,
     * libm, the dynamic loader... A worker JVM of the same build maps the same ones.
     */
    static final class MappedLibraries {
        static final List<Path> PATHS = read();

        private static List<Path> read() {
            Set<Path> libraries = new LinkedHashSet<>();
            String home = System.getProperty("java.home");
            String maps;
            try (InputStream in = new FileInputStream("/proc/self/maps")) {
                maps = new String(in.readAllBytes(), StandardCharsets.UTF_8); // a plain read: no stream pipeline
            } catch (IOException | SecurityException e) {
                return List.of(); // no /proc: the worker will say what it could not load
            }
            try {
                for (int start = 0; start < maps.length(); ) {
                    int end = maps.indexOf('\n', start);
                    String line = maps.substring(start, end < 0 ? maps.length() : end);
                    start = end < 0 ? maps.length() : end + 1;
                    int slash = line.indexOf('/');
                    if (slash < 0) {
                        continue;
                    }
                    String file = line.substring(slash);
                    if (file.contains(".so") && !file.startsWith(home) && !file.endsWith(" (deleted)")) {
                        libraries.add(Path.of(file));
                    }
                }
            } catch (InvalidPathException e) {
                return List.of();
            }
            return List.copyOf(libraries);
        }
    }
}
