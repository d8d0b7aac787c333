package dev.knitting.internal.host;

import dev.knitting.KnittingException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * Where thread workers load task and bootstrap classes from: the host's loader, plus a class loader
 * over the pool's {@code workerClassPath} entries when there are any, created once per pool and
 * closed when the pool has stopped.
 *
 * <p>Why a child of the host's loader: delegation goes to the parent first, so every class the
 * host has is the host's own (the same statics, the same {@code Task} objects); only classes the
 * host lacks, such as imported tasks, come from the extra entries. A process worker gets the same
 * view from a class path of the host's entries followed by the extra ones.
 */
final class WorkerClasses implements AutoCloseable {
    private final ClassLoader loader;
    private final URLClassLoader created;

    private WorkerClasses(ClassLoader loader, URLClassLoader created) {
        this.loader = loader;
        this.created = created;
    }

    /**
     * @param poolName names the class loader
     * @param entries extra class path entries (directories or jars), maybe none
     * @param hostLoader the host's loader, the parent
     */
    static WorkerClasses of(String poolName, List<Path> entries, ClassLoader hostLoader) {
        if (entries.isEmpty()) {
            return new WorkerClasses(hostLoader, null);
        }
        URL[] urls = new URL[entries.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = entries.get(i).toAbsolutePath().toUri().toURL();
            } catch (MalformedURLException | RuntimeException e) {
                throw new IllegalArgumentException("workerClassPath entry=" + entries.get(i) + " is not a usable path: "
                        + e, e);
            }
        }
        URLClassLoader created = new URLClassLoader(poolName + "-worker-classes", urls, hostLoader);
        return new WorkerClasses(created, created);
    }

    /** @return the loader thread workers use */
    ClassLoader loader() {
        return loader;
    }

    /** Closes the extra entries' files (jars); classes already loaded keep working. */
    @Override
    public void close() {
        if (created != null) {
            try {
                created.close();
            } catch (IOException e) {
                throw new KnittingException("cannot close the worker class loader: " + e.getMessage(), e);
            }
        }
    }
}
