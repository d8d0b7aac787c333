package dev.knitting.internal.host;

import dev.knitting.Permission;
import dev.knitting.SharedMemoryMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The options that only process workers use.
 *
 * @param javaCommand the launcher, or {@code null} for the running JVM's
 * @param jvmArgs extra JVM arguments, before the class path
 * @param commandPrefix argv put before the launcher (bwrap, taskset, env, docker...)
 * @param sharedMemory how the child reaches its lane
 * @param namePrefix prefix of NAMED shared-memory object names
 * @param startTimeout how long a worker may take to become ready
 * @param permission what a worker may do outside its lane
 * @param permissionExplicit whether the user chose {@code permission} (a permission the platform
 *     cannot enforce then fails start) or it is the default (then it warns once)
 */
public record ProcessOptions(Path javaCommand, List<String> jvmArgs, List<String> commandPrefix,
                             SharedMemoryMode sharedMemory, String namePrefix, Duration startTimeout,
                             Permission permission, boolean permissionExplicit) {
    /** The defaults: the running JVM, INHERIT, no extras, one minute to start, strict by default. */
    public static final ProcessOptions DEFAULTS = new ProcessOptions(null, List.of(), List.of(),
            SharedMemoryMode.INHERIT, "knit", Duration.ofSeconds(60), Permission.strict(), false);

    /** Copies the lists. */
    public ProcessOptions {
        jvmArgs = List.copyOf(jvmArgs);
        commandPrefix = List.copyOf(commandPrefix);
    }
}
