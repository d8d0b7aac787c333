package dev.knitting.internal.spawn;

import java.lang.module.ResolvedModule;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * How the host JVM found Knitting and the application, so a worker JVM can find them the same way.
 *
 * <p>{@code modular}: Knitting is the named module {@code moduleName} (module path, or a
 * {@code jlink} image, where {@code modulePath} is empty); the worker runs
 * {@code -m moduleName/entry}. Otherwise Knitting is on the class path and the worker runs
 * {@code -cp classPath entry}. {@code addModules} are the application modules the host resolved
 * from its module path (besides Knitting): a worker started with {@code -m} resolves only what its
 * root requires, and the task classes' modules do not require it the other way round, so they are
 * added by name. Adding exactly the host's modules (rather than {@code ALL-MODULE-PATH}) keeps the
 * worker's module graph the host's, even when the module path holds modules the host never
 * resolved. In a {@code jlink} image every module is linked in, so the host's main module is added by
 * name instead (it requires the rest).
 *
 * @param modular whether Knitting is a named module
 * @param moduleName Knitting's module name when modular, else empty
 * @param classPath {@code java.class.path}, empty if none
 * @param modulePath {@code jdk.module.path}, empty if none
 * @param addModules application modules resolved from the module path (and a {@code jlink} image's main
 *     module), sorted, Knitting excluded
 */
public record HostLaunch(boolean modular, String moduleName, String classPath, String modulePath,
                         List<String> addModules) {
    /** Copies the list; checks that a modular launch names its module. */
    public HostLaunch {
        Objects.requireNonNull(moduleName, "moduleName");
        Objects.requireNonNull(classPath, "classPath");
        Objects.requireNonNull(modulePath, "modulePath");
        addModules = List.copyOf(addModules);
        if (modular == moduleName.isEmpty()) {
            throw new IllegalArgumentException("moduleName=\"" + moduleName + "\" must be set exactly when modular="
                    + modular);
        }
    }

    /** @return how this JVM runs Knitting */
    public static HostLaunch current() {
        Module knitting = HostLaunch.class.getModule();
        String modulePath = System.getProperty("jdk.module.path", "");
        Map<String, Optional<URI>> boot = new HashMap<>();
        for (ResolvedModule module : ModuleLayer.boot().configuration().modules()) {
            boot.put(module.name(), module.reference().location());
        }
        List<String> applicationModules = applicationModules(boot, knitting.isNamed() ? knitting.getName() : "",
                System.getProperty("jdk.module.main", ""));
        return new HostLaunch(knitting.isNamed(), knitting.isNamed() ? knitting.getName() : "",
                System.getProperty("java.class.path", ""), modulePath, applicationModules);
    }

    /**
     * The modules a worker must add by name: every boot module that came from the module path
     * (not from the runtime image), and the host's main module ({@code -m}) even when it is linked
     * into the image, as in a {@code jlink} image of the application, where every module is a
     * {@code jrt:} module and the main module is the only one known to be the application's.
     *
     * @param bootModules the host's boot modules and their locations
     * @param knitting Knitting's module name, empty when unnamed; never added
     * @param mainModule the host's main module ({@code jdk.module.main}), empty if none
     * @return the names, sorted
     */
    static List<String> applicationModules(Map<String, Optional<URI>> bootModules, String knitting,
                                           String mainModule) {
        TreeSet<String> names = new TreeSet<>();
        for (Map.Entry<String, Optional<URI>> module : bootModules.entrySet()) {
            String scheme = module.getValue().isPresent() ? module.getValue().get().getScheme() : null;
            boolean fromImage = scheme == null || scheme.equals("jrt"); // a module without a location: the image's
            if (!fromImage || module.getKey().equals(mainModule)) {
                names.add(module.getKey());
            }
        }
        names.remove(knitting);
        return List.copyOf(names);
    }

    /** @return the {@code --enable-native-access} value the worker needs for Knitting */
    public String nativeAccessTarget() {
        return modular ? moduleName : "ALL-UNNAMED";
    }
}
