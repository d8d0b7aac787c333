package dev.knitting.internal.spawn;

import dev.knitting.KnittingException;
import dev.knitting.Permission;
import dev.knitting.internal.os.Landlock;
import dev.knitting.internal.os.LinuxSpawn;
import dev.knitting.internal.os.Seccomp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a pool confines its process workers: which of the kernel's mechanisms it uses, decided once at
 * {@code start} from the {@link Permission} and what this platform has.
 *
 * <ul>
 * <li>The environment allow-list needs nothing from the kernel: always applied when confined.
 * <li>Landlock: the worker is started from a fresh host thread that restricted itself
 *     ({@link ConfinedSpawner}), so it is born restricted in all its threads.
 * <li>seccomp: installed by the worker on all its threads at boot, before any task class loads
 *     (not inherited from the spawner: the spawn itself runs {@code execve}).
 * </ul>
 *
 * An explicit permission this platform cannot enforce fails {@code start} naming the mechanism;
 * the implicit default warns once per JVM and uses what there is.
 *
 * @param permission what the user asked for
 * @param landlock whether workers are started under Landlock
 * @param seccomp whether workers install the seccomp filter
 */
public record Confinement(Permission permission, boolean landlock, boolean seccomp) {
    /** The one warning per JVM about an implicit default that cannot be enforced. */
    static final AtomicBoolean WARNED = new AtomicBoolean();
    /** Variables of the host a confined worker gets unless denied: the locale and the time zone. */
    private static final List<String> ALWAYS_PASSED = List.of("LANG", "LANGUAGE", "TZ");

    /** What the platform lacks, each empty when the mechanism is there. */
    public record Mechanisms(String landlockProblem, String seccompProblem) {
        /** @return this JVM's platform */
        public static Mechanisms current() {
            String landlock = Landlock.unavailableReason();
            if (landlock.isEmpty() && !LinuxSpawn.unavailableReason().isEmpty()) {
                // a confined worker is spawned without ProcessBuilder (see ConfinedSpawner)
                landlock = "no confined spawn: " + LinuxSpawn.unavailableReason();
            }
            return new Mechanisms(landlock, Seccomp.unavailableReason());
        }
    }

    /** @return no confinement ({@link Permission#unsafe()}) */
    public static Confinement none() {
        return new Confinement(Permission.unsafe(), false, false);
    }

    /**
     * @param explicit whether the user set the permission (else it is the default)
     * @param warning receives the warning, at most once per {@code warned} flag; may be {@code null}
     *     when {@code explicit} or {@code mechanisms} lack nothing (no warning then)
     * @throws KnittingException for an explicit permission the platform cannot enforce
     */
    public static Confinement decide(Permission permission, boolean explicit, Mechanisms mechanisms,
                                     AtomicBoolean warned, System.Logger warning) {
        if (!permission.confined()) {
            return none();
        }
        List<String> missing = new ArrayList<>();
        if (!mechanisms.landlockProblem().isEmpty()) {
            missing.add("Landlock (" + mechanisms.landlockProblem() + ")");
        }
        if (!mechanisms.seccompProblem().isEmpty()) {
            missing.add("seccomp (" + mechanisms.seccompProblem() + ")");
        }
        if (!missing.isEmpty()) {
            if (explicit) {
                throw new KnittingException("permission=" + permission + " cannot be enforced on this platform, it"
                        + " lacks " + String.join(" and ", missing) + "; use Permission.unsafe() to run process"
                        + " workers unconfined");
            }
            if (warned.compareAndSet(false, true)) {
                warning.log(System.Logger.Level.WARNING, "process workers run only partly confined: the default"
                        + " Permission.strict() needs " + String.join(" and ", missing) + "; set"
                        + " permission(Permission.unsafe()) to silence this, or permission(Permission.strict()) to"
                        + " refuse to start without them");
            }
        }
        return new Confinement(permission, mechanisms.landlockProblem().isEmpty(),
                mechanisms.seccompProblem().isEmpty());
    }

    /** {@link #decide} with this platform, the JVM's warning flag and the {@code dev.knitting} logger. */
    public static Confinement decide(Permission permission, boolean explicit) {
        if (!permission.confined()) {
            return none();
        }
        Mechanisms mechanisms = Mechanisms.current();
        // the logger only when there may be a warning: System.getLogger sets up the logging backend,
        // some 90 JDK classes a cold host would load before its first worker for nothing
        boolean complete = mechanisms.landlockProblem().isEmpty() && mechanisms.seccompProblem().isEmpty();
        return decide(permission, explicit, mechanisms, WARNED,
                complete || explicit ? null : System.getLogger("dev.knitting"));
    }

    /** @return whether workers are confined at all */
    public boolean confined() {
        return permission.confined();
    }

    /**
     * @param host the host's environment
     * @return a confined worker's base environment: the locale ({@code LANG}, {@code LANGUAGE},
     *     {@code LC_*}) and {@code TZ} the host has, and the granted names it has; {@code null}
     *     (the host's whole environment) when unconfined
     */
    public Map<String, String> environment(Map<String, String> host) {
        if (!confined()) {
            return null;
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : host.entrySet()) {
            String name = e.getKey();
            if (ALWAYS_PASSED.contains(name) || name.startsWith("LC_") || permission.environment().contains(name)) {
                env.put(name, e.getValue());
            }
        }
        return env;
    }

    /** @return JVM options of a confined worker: no perf data file in {@code /tmp} */
    public List<String> jvmArgs() {
        return confined() ? List.of("-XX:-UsePerfData") : List.of();
    }

    /** @return what the worker does to itself at boot, {@code null} when unconfined */
    ConfinementSpec spec() {
        return confined() ? new ConfinementSpec(seccomp, permission.exec(), permission.network(), landlock) : null;
    }

    /**
     * Checks the user's grants exist (Landlock needs each to open).
     *
     * @throws KnittingException naming the first grant that does not
     */
    public void checkGrants() {
        if (!landlock) {
            return;
        }
        for (Path path : permission.reads()) {
            checkExists("allowRead", path);
        }
        for (Path path : permission.writes()) {
            checkExists("allowWrite", path);
        }
    }

    private static void checkExists(String grant, Path path) {
        if (!Files.exists(path)) {
            throw new KnittingException("permission " + grant + " path=" + path + " does not exist (Landlock grants"
                    + " only what exists when the pool starts)");
        }
    }
}
