package dev.knitting;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a process worker may do outside its lane: an immutable value, set with
 * {@link PoolBuilder#permission(Permission)}. {@link #strict()} is the default of
 * {@link WorkerRuntime#PROCESS} pools; each {@code allow...} method returns a new value with one
 * more grant.
 *
 * {@snippet :
 * Knitting.pool().runtime(WorkerRuntime.PROCESS)
 *         .permission(Permission.strict().allowRead(Path.of("/data/models")).allowEnv("MODEL_KEY"))
 *         .start(Tasks.class);
 * }
 *
 * <p>A strict worker is born confined by the kernel (Linux: Landlock on the thread that starts it,
 * inherited by every thread of the worker; a seccomp filter on all its threads before any task
 * class loads). It has:
 * <ul>
 * <li>an environment of Knitting's own variables and the locale and time zone variables
 *     ({@code LANG}, {@code LC_*}, {@code TZ}) the host has, plus the names {@link #allowEnv}
 *     grants; nothing else of the host's;
 * <li>no {@code execve}/{@code execveat} (unless {@link #allowExec()}); no socket other than
 *     {@code AF_UNIX}, no TCP bind or connect, no {@code io_uring} (unless {@link #allowNetwork()});
 *     no {@code ptrace}, {@code process_vm_readv}/{@code writev}, {@code pidfd_getfd},
 *     {@code kcmp}; signals only to its own threads. A denied call fails with {@code EPERM}, so the
 *     task gets the JDK's own exception ({@code IOException}, {@code SocketException}...);
 * <li>reads only of the JDK, the worker's class path and module path (the jars a jar's manifest
 *     {@code Class-Path} names included), the pool's {@code workerClassPath}, the
 *     {@link #allowRead} grants, and what the JVM itself reads while it boots, found by test:
 *     the C libraries the host JVM has mapped, {@code /etc/ld.so.cache}; {@code /etc/passwd},
 *     {@code /etc/group}, {@code /etc/nsswitch.conf} ({@code user.name}, {@code user.home});
 *     {@code /etc/localtime}, {@code /etc/timezone}, {@code /usr/share/zoneinfo} (time zone);
 *     {@code /dev/null} (also writable), {@code /dev/zero}, {@code /dev/random},
 *     {@code /dev/urandom}; {@code /proc/stat}, {@code /proc/meminfo}, {@code /proc/cpuinfo},
 *     {@code /proc/cgroups}, {@code /proc/sys/vm/mmap_min_addr}; {@code /sys/devices/system/cpu},
 *     {@code /sys/kernel/mm/transparent_hugepage}. No other {@code /proc} entry, the worker's own
 *     {@code /proc/self} included (so the JVM's container detection is off in a worker: give it
 *     {@code -Xmx} through {@link PoolBuilder#jvmArgs} in a container). The worker JVM runs with
 *     {@code -XX:-UsePerfData}, so it writes nothing to {@code /tmp};
 * <li>writes only beneath {@link #allowWrite} grants (and to {@code /dev/null}).
 * </ul>
 *
 * <p>The host checks at {@code start} that the kernel can enforce the permission. An explicit
 * permission it cannot enforce fails {@code start}, naming the missing mechanism; the implicit
 * default logs one warning ({@link System.Logger} {@code dev.knitting}) and runs workers with what
 * the platform has. {@link #unsafe()} opts out: workers get the host's whole environment and the
 * user's full rights. A THREAD pool accepts only {@code unsafe()}: its workers are threads of the
 * host process.
 *
 * <p>Limits: the worker keeps the host's uid; kernel bugs are not covered; and a worker can still
 * reopen shared memory (memfds) the host holds, through the host thread that started it, until
 * descriptors are passed over a socket instead. Where tasks are hostile, combine this with
 * {@link PoolBuilder#commandPrefix} (a uid switch, a container).
 */
public final class Permission {
    private static final Permission UNSAFE = new Permission(false, List.of(), List.of(), List.of(), false, false);
    private static final Permission STRICT = new Permission(true, List.of(), List.of(), List.of(), false, false);

    private final boolean confined;
    private final List<Path> reads;
    private final List<Path> writes;
    private final List<String> environment;
    private final boolean network;
    private final boolean exec;

    private Permission(boolean confined, List<Path> reads, List<Path> writes, List<String> environment,
                       boolean network, boolean exec) {
        this.confined = confined;
        this.reads = List.copyOf(reads);
        this.writes = List.copyOf(writes);
        this.environment = List.copyOf(environment);
        this.network = network;
        this.exec = exec;
    }

    /** {@return the default of process workers: confined, with no grants} */
    public static Permission strict() {
        return STRICT;
    }

    /** {@return no confinement: the host's environment and the user's full rights} */
    public static Permission unsafe() {
        return UNSAFE;
    }

    /**
     * Grants reading (and executing) files beneath each path.
     *
     * @param paths files or directories; relative ones are resolved against the current directory now.
     *        They must exist when the pool starts
     * @return a new permission with these grants added
     */
    public Permission allowRead(Path... paths) {
        return new Permission(confined, union(reads, checkedPaths("allowRead", paths)), writes, environment, network,
                exec);
    }

    /**
     * Grants reading and writing beneath each path: creating, changing, renaming and removing files.
     *
     * @param paths files or directories; relative ones are resolved against the current directory now.
     *        They must exist when the pool starts
     * @return a new permission with these grants added
     */
    public Permission allowWrite(Path... paths) {
        return new Permission(confined, reads, union(writes, checkedPaths("allowWrite", paths)), environment, network,
                exec);
    }

    /**
     * Passes the host's values of these environment variables to workers (a name the host has not set
     * stays unset).
     *
     * @param names variable names: letters, digits and underscores, not starting with a digit
     * @return a new permission with these names added
     */
    public Permission allowEnv(String... names) {
        checkGrant("allowEnv");
        Objects.requireNonNull(names, "allowEnv");
        for (String name : names) {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("allowEnv name=" + name
                        + " is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
        }
        return new Permission(confined, reads, writes, union(environment, List.of(names)), network, exec);
    }

    /** {@return a new permission that also allows every socket family, TCP and UDP included} */
    public Permission allowNetwork() {
        checkGrant("allowNetwork");
        return new Permission(confined, reads, writes, environment, true, exec);
    }

    /** {@return a new permission that also allows starting programs (of files it may read)} */
    public Permission allowExec() {
        checkGrant("allowExec");
        return new Permission(confined, reads, writes, environment, network, true);
    }

    /** {@return whether workers are confined (false only for {@link #unsafe()})} */
    public boolean confined() {
        return confined;
    }

    /** {@return the {@link #allowRead} grants, absolute and normalised, in order} */
    public List<Path> reads() {
        return reads;
    }

    /** {@return the {@link #allowWrite} grants, absolute and normalised, in order} */
    public List<Path> writes() {
        return writes;
    }

    /** {@return the {@link #allowEnv} names, in order} */
    public List<String> environment() {
        return environment;
    }

    /** {@return whether {@link #allowNetwork()} was granted} */
    public boolean network() {
        return network;
    }

    /** {@return whether {@link #allowExec()} was granted} */
    public boolean exec() {
        return exec;
    }

    private void checkGrant(String grant) {
        if (!confined) {
            throw new IllegalStateException(grant + " on Permission.unsafe(), which allows everything already;"
                    + " grants apply to Permission.strict()");
        }
    }

    private List<Path> checkedPaths(String grant, Path... paths) {
        checkGrant(grant);
        Objects.requireNonNull(paths, grant);
        List<Path> checked = new ArrayList<>();
        for (Path path : paths) {
            if (path == null || path.toString().isBlank()) {
                throw new IllegalArgumentException(grant + " path=" + path + " is empty");
            }
            checked.add(path.toAbsolutePath().normalize());
        }
        return checked;
    }

    private static <T> List<T> union(List<T> a, List<T> b) {
        Set<T> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Permission p && confined == p.confined && network == p.network && exec == p.exec
                && reads.equals(p.reads) && writes.equals(p.writes) && environment.equals(p.environment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(confined, reads, writes, environment, network, exec);
    }

    /** {@return the expression that builds this value, such as {@code Permission.strict().allowNetwork()}} */
    @Override
    public String toString() {
        if (!confined) {
            return "Permission.unsafe()";
        }
        StringBuilder s = new StringBuilder("Permission.strict()");
        if (!reads.isEmpty()) {
            s.append(".allowRead(").append(joined(reads)).append(')');
        }
        if (!writes.isEmpty()) {
            s.append(".allowWrite(").append(joined(writes)).append(')');
        }
        if (!environment.isEmpty()) {
            s.append(".allowEnv(").append(String.join(", ", environment)).append(')');
        }
        if (network) {
            s.append(".allowNetwork()");
        }
        if (exec) {
            s.append(".allowExec()");
        }
        return s.toString();
    }

    private static String joined(List<Path> paths) {
        return String.join(", ", paths.stream().map(Path::toString).toList());
    }
}
