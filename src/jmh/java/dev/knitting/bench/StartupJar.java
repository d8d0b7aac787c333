package dev.knitting.bench;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * One jar of the class directories on this JVM's class path (main classes and the bench classes),
 * for the G10 host that must run from jars only, plus where its AOT caches live. Both sit in
 * {@code target/bench-startup/} under a name derived from the classes (paths, sizes, times) and the
 * JVM version, so an unchanged build reuses the jar with its time stamp, which keeps AOT caches
 * made by earlier runs valid; stale files are removed.
 *
 * @param jar the jar
 * @param key the digest that names it
 */
public record StartupJar(Path jar, String key) {
    private static StartupJar instance;

    /** @return the jar for the current classes, built if missing */
    public static synchronized StartupJar get() throws IOException {
        if (instance == null || !Files.isRegularFile(instance.jar)) {
            instance = build();
        }
        return instance;
    }

    /** @return the AOT cache file of a variant (may not exist yet) */
    public Path aotCache(String variant) {
        return jar.resolveSibling(key + "-" + variant + ".aot");
    }

    private static StartupJar build() throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (!e.isEmpty() && Files.isDirectory(p)) {
                dirs.add(p);
            }
        }
        List<Path[]> files = new ArrayList<>();
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        digest.update(System.getProperty("java.vm.version").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (Path dir : dirs) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    files.add(new Path[] {dir, f});
                    String id = dir.relativize(f) + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis();
                    digest.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        String key = HexFormat.of().formatHex(digest.digest(), 0, 8);
        Path root = Files.isDirectory(Path.of("target")) ? Path.of("target", "bench-startup")
                : Path.of(System.getProperty("java.io.tmpdir"), "knitting-bench-startup");
        Files.createDirectories(root);
        try (Stream<Path> old = Files.list(root)) {
            for (Path p : old.toList()) {
                if (!p.getFileName().toString().startsWith(key)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Path jar = root.resolve(key + ".jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            Path tmp = Files.createTempFile(root, key, ".tmp");
            Set<String> seen = new HashSet<>();
            try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream out = new JarOutputStream(os)) {
                for (Path[] df : files) {
                    String name = df[0].relativize(df[1]).toString().replace(File.separatorChar, '/');
                    if (name.equals("module-info.class") || !seen.add(name)) {
                        continue;
                    }
                    JarEntry entry = new JarEntry(name);
                    entry.setTime(0);
                    out.putNextEntry(entry);
                    Files.copy(df[1], out);
                    out.closeEntry();
                }
            }
            Files.move(tmp, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return new StartupJar(jar, key);
    }
}
