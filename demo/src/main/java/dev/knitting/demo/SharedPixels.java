package dev.knitting.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * STAND-IN until {@code dev.knitting.shm.ProcessSharedBuffer} lands: a file under /dev/shm mapped
 * by every JVM that touches it, sent as its path (a descriptor), never as its bytes. Same method
 * names as the real type so the switch is a rename.
 *
 * @param path the mapped file
 * @param byteSize its size
 */
public record SharedPixels(String path, long byteSize) implements AutoCloseable {
    private static final Map<String, MemorySegment> MAPPED = new ConcurrentHashMap<>();

    static SharedPixels create(long size) {
        try {
            Path dir = Path.of("/dev/shm");
            Path file = Files.createTempFile(Files.isDirectory(dir) ? dir : Path.of(System.getProperty("java.io.tmpdir")),
                    "knitting-demo-", ".rgb");
            file.toFile().deleteOnExit();
            SharedPixels pixels = new SharedPixels(file.toString(), size);
            pixels.segment();
            return pixels;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the bytes, mapped once per JVM */
    public MemorySegment segment() {
        return MAPPED.computeIfAbsent(path, p -> {
            try (FileChannel channel = FileChannel.open(Path.of(p), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return channel.map(FileChannel.MapMode.READ_WRITE, 0, byteSize, Arena.global());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
