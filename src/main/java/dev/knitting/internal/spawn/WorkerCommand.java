package dev.knitting.internal.spawn;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The command line of a worker JVM, in this order and nothing else:
 * <pre>
 * commandPrefix... java jvmArgs... --enable-native-access=X (class path | module path) entry
 * </pre>
 * Class path host: {@code -cp <host class path>[:extra...] <entry>} with {@code X = ALL-UNNAMED}
 * (and the host's module path with {@code --add-modules} of its application modules, if it had
 * one). Modular host: {@code [--module-path <host module path>] [-cp <extra...>]
 * [--add-modules <application modules>] -m <module>/<entry>} with {@code X = <module>}; extra
 * entries go on the class path and are reached through core reflection.
 *
 * <p>No JVM option is added on its own: start-up tuning (CDS archives, AOT cache, GC choice)
 * belongs in {@code jvmArgs}. Immutable; the {@code with*} methods return copies.
 */
public final class WorkerCommand {
    private final String entryClass;
    private final HostLaunch host;
    private final String javaLauncher;
    private final List<String> commandPrefix;
    private final List<String> jvmArgs;
    private final List<Path> extraClassPath;

    /**
     * A command for this JVM's way of running Knitting, its own java launcher, no prefix, no JVM
     * arguments.
     *
     * @param entryClass the worker's main class, a binary name
     */
    public WorkerCommand(String entryClass) {
        this(entryClass, HostLaunch.current(), defaultJavaLauncher(), List.of(), List.of(), List.of());
    }

    WorkerCommand(String entryClass, HostLaunch host, String javaLauncher, List<String> commandPrefix,
                  List<String> jvmArgs, List<Path> extraClassPath) {
        Objects.requireNonNull(entryClass, "entryClass");
        if (!BootSyntax.isQualifiedName(entryClass)) {
            throw new IllegalArgumentException("entryClass=\"" + entryClass + "\" is not a class name");
        }
        this.entryClass = entryClass;
        this.host = Objects.requireNonNull(host, "host");
        this.javaLauncher = Objects.requireNonNull(javaLauncher, "javaLauncher");
        if (javaLauncher.isEmpty()) {
            throw new IllegalArgumentException("javaLauncher must not be empty");
        }
        this.commandPrefix = List.copyOf(commandPrefix);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.extraClassPath = List.copyOf(extraClassPath);
    }

    /**
     * @return {@code java.home}/bin/java when it exists (a {@code jlink} image has it unless
     *     stripped), else the command that started this process, else {@code "java"} from the PATH.
     *     {@code java.home} comes first because the process may have been started by a native
     *     launcher (jpackage, an embedding application) that does not take JVM options.
     */
    public static String defaultJavaLauncher() {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        Path java = Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
        if (Files.isExecutable(java)) {
            return java.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** @param prefix words before the launcher, e.g. {@code taskset -c 1} */
    public WorkerCommand withCommandPrefix(List<String> prefix) {
        return new WorkerCommand(entryClass, host, javaLauncher, prefix, jvmArgs, extraClassPath);
    }

    /** @param launcher the java executable */
    public WorkerCommand withJavaLauncher(String launcher) {
        return new WorkerCommand(entryClass, host, launcher, commandPrefix, jvmArgs, extraClassPath);
    }

    /** @param args JVM options, given to the worker JVM before Knitting's own */
    public WorkerCommand withJvmArgs(List<String> args) {
        return new WorkerCommand(entryClass, host, javaLauncher, commandPrefix, args, extraClassPath);
    }

    /** @param entries class path entries for the worker only, after the host's */
    public WorkerCommand withExtraClassPath(List<Path> entries) {
        return new WorkerCommand(entryClass, host, javaLauncher, commandPrefix, jvmArgs, entries);
    }

    /** @param launch the host's way of running Knitting (tests; workers of another layout) */
    public WorkerCommand withHost(HostLaunch launch) {
        return new WorkerCommand(entryClass, launch, javaLauncher, commandPrefix, jvmArgs, extraClassPath);
    }

    /** @return the java executable */
    public String javaLauncher() {
        return javaLauncher;
    }

    /** @return the JVM options, Knitting's and the user's */
    public List<String> jvmArgs() {
        return jvmArgs;
    }

    /** @return the words before the launcher */
    public List<String> commandPrefix() {
        return commandPrefix;
    }

    /** @return the worker-only class path entries */
    public List<Path> extraClassPath() {
        return extraClassPath;
    }

    /** @return how the host runs Knitting */
    public HostLaunch host() {
        return host;
    }

    /** @return the complete command line, for {@code ProcessBuilder} */
    public List<String> argv() {
        List<String> argv = new ArrayList<>(commandPrefix);
        argv.add(javaLauncher);
        argv.addAll(jvmArgs);
        argv.add("--enable-native-access=" + host.nativeAccessTarget());
        StringJoiner extras = new StringJoiner(File.pathSeparator);
        for (Path p : extraClassPath) {
            extras.add(p.toString());
        }
        if (host.modular()) {
            if (!host.modulePath().isEmpty()) {
                argv.add("--module-path");
                argv.add(host.modulePath());
            }
            String classPath = join(host.classPath(), extras.toString());
            if (!classPath.isEmpty()) {
                argv.add("-cp");
                argv.add(classPath);
            }
            addModules(argv);
            argv.add("-m");
            argv.add(host.moduleName() + "/" + entryClass);
        } else {
            if (!host.modulePath().isEmpty() && !host.addModules().isEmpty()) {
                argv.add("--module-path");
                argv.add(host.modulePath());
                addModules(argv);
            }
            String classPath = join(host.classPath(), extras.toString());
            if (!classPath.isEmpty()) {
                argv.add("-cp");
                argv.add(classPath);
            }
            argv.add(entryClass);
        }
        return argv;
    }

    private void addModules(List<String> argv) {
        if (!host.addModules().isEmpty()) {
            argv.add("--add-modules");
            argv.add(String.join(",", host.addModules()));
        }
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + File.pathSeparator + b;
    }

    @Override
    public String toString() {
        return String.join(" ", argv());
    }
}
