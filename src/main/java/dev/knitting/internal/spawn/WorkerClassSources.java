package dev.knitting.internal.spawn;

import dev.knitting.KnittingException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipFile;

/**
 * Where a worker JVM finds the classes the host loaded from somewhere other than its own class
 * path or module path.
 *
 * <p>A worker starts with the host's {@code java.class.path}. That holds every class the system
 * class loader defined, but not those of a child loader: {@code mvn exec:java} (Maven's class
 * realm over the project's jars), test runners, plugin hosts, a {@code URLClassLoader} of the
 * application's own. For a class defined by such a loader the worker also gets, in delegation
 * order (the loader nearest the system loader first), the {@code file:} entries of every
 * {@code URLClassLoader} between it and the system loader, and the class's own code source;
 * the class's file must then be found in one of those entries, or in the pool's
 * {@code workerClassPath}. A class with no such file (compiled in memory by the source-file
 * launcher, defined by {@code jshell}, generated at run time) fails {@code start} with a message
 * that says why and what to do, instead of a worker that dies with {@code ClassNotFoundException}.
 */
public final class WorkerClassSources {
    private WorkerClassSources() {
    }

    /**
     * @param classes the classes a worker must load by name: the worker's entry class and the
     *     pool's task classes
     * @param workerClassPath the pool's worker-only entries, which may also hold them
     * @return the entries to add after the host's class path, in order, without duplicates;
     *     empty when every class came from the system class loader (or the JDK)
     * @throws KnittingException naming the first class no worker could load
     */
    public static List<Path> entriesFor(Collection<Class<?>> classes, List<Path> workerClassPath) {
        Set<Path> entries = new LinkedHashSet<>();
        for (Class<?> type : classes) {
            if (!needsEntries(type.getClassLoader())) {
                continue;
            }
            List<Path> own = new ArrayList<>();
            loaderEntries(type.getClassLoader(), own);
            Path location = codeSource(type);
            if (location != null) {
                own.add(location);
            }
            entries.addAll(own);
            List<Path> searched = new ArrayList<>(own);
            searched.addAll(workerClassPath);
            if (searched.stream().noneMatch(entry -> holdsClassFile(entry, type))) {
                throw unreachable(type, location);
            }
        }
        return List.copyOf(entries);
    }

    /** @return whether classes of {@code loader} are outside what {@code java.class.path} and the JDK give a worker */
    private static boolean needsEntries(ClassLoader loader) {
        for (ClassLoader l = ClassLoader.getSystemClassLoader(); l != null; l = l.getParent()) {
            if (l == loader) {
                return false;
            }
        }
        return loader != null;
    }

    /** Adds the {@code file:} entries of the URL class loaders from {@code loader} up to the system loader, top first. */
    private static void loaderEntries(ClassLoader loader, List<Path> out) {
        if (!needsEntries(loader)) {
            return;
        }
        loaderEntries(loader.getParent(), out);
        if (loader instanceof URLClassLoader urls) {
            for (URL url : urls.getURLs()) {
                Path path = fileOf(url);
                if (path != null) {
                    out.add(path);
                }
            }
        }
    }

    private static Path codeSource(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? null : fileOf(source.getLocation());
    }

    private static Path fileOf(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /** @return whether {@code entry} (a directory or a jar) holds the class file of {@code type} */
    static boolean holdsClassFile(Path entry, Class<?> type) {
        String resource = type.getName().replace('.', '/') + ".class";
        if (Files.isDirectory(entry)) {
            return Files.isRegularFile(entry.resolve(resource));
        }
        if (!Files.isRegularFile(entry)) {
            return false;
        }
        try (ZipFile jar = new ZipFile(entry.toFile())) {
            return jar.getEntry(resource) != null;
        } catch (IOException notAJar) {
            return false; // a source file, or anything else a class path cannot use
        }
    }

    private static KnittingException unreachable(Class<?> type, Path location) {
        String loader = type.getClassLoader().getClass().getName();
        String where = "class " + type.getName() + " (loaded by " + loader
                + (location == null ? ", with no code source" : " from " + location) + ")";
        if (loader.startsWith("com.sun.tools.javac.launcher.") || System.getProperty("jdk.launcher.sourcefile") != null) {
            return new KnittingException(where + " was compiled in memory by the source-file launcher (java "
                    + (location == null ? "App.java" : location.getFileName()) + "), so a process worker cannot load"
                    + " it: compile the program first (javac -cp knitting.jar -d classes App.java, then java"
                    + " --enable-native-access=ALL-UNNAMED -cp knitting.jar:classes App), or use WorkerRuntime.THREAD");
        }
        if (loader.startsWith("jdk.jshell.")) {
            return new KnittingException(where + " was defined by jshell, so a process worker cannot load it: put the"
                    + " tasks in a compiled class on jshell's class path (jshell --class-path knitting.jar:classes),"
                    + " or use WorkerRuntime.THREAD");
        }
        return new KnittingException(where + " is in no directory or jar a process worker could put on its class"
                + " path: load it from the class path or a URLClassLoader over jars or directories, add its"
                + " location with workerClassPath(...), or use WorkerRuntime.THREAD");
    }
}
