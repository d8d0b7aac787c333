package dev.knitting.testtasks;

import dev.knitting.Task;
import dev.knitting.unsafe.BufferReference;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A hostile task: it gives a reference back to its caller but keeps a mapping of its memory of its
 * own (opened through the worker's descriptor of the reference's memfd), and writes through that
 * mapping in a later call.
 */
public final class HostileReferenceTasks {
    /** A size no other reference in these tests has, to find the memfd by. */
    public static final int SIZE = (1 << 20) + 7 * 4096;
    private static MappedByteBuffer kept;

    /**
     * Fills the reference it got (of {@link #SIZE} bytes; a memfd in a process worker) with 1, keeps a
     * mapping of its memfd, and gives it back.
     */
    public static final Task<BufferReference, BufferReference> GIVE_BACK_BUT_KEEP = Task.of(reference -> {
        reference.segment().fill((byte) 1);
        kept = mapOwnMemfd();
        return reference;
    });

    /** Writes 0x55 through the kept mapping; says whether there was one. */
    public static final Task<Object, Boolean> SCRIBBLE = Task.of(ignored -> {
        if (kept == null) {
            return false;
        }
        for (int i = 0; i < SIZE; i += 4096) {
            kept.put(i, (byte) 0x55);
        }
        return true;
    });

    private HostileReferenceTasks() {
    }

    private static MappedByteBuffer mapOwnMemfd() {
        for (int n = 0; n < 4096; n++) { // a confined worker cannot list /proc/self/fd; numbers can be tried
            Path fd = Path.of("/proc/self/fd/" + n);
            try {
                long size = Files.size(fd); // the reference's bytes and the trailer after them
                if (Files.readSymbolicLink(fd).toString().startsWith("/memfd:knitting-ref")
                        && size >= SIZE && size < SIZE + 4096) {
                    try (FileChannel channel = FileChannel.open(fd, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        return channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
                    }
                }
            } catch (IOException e) {
                // no such descriptor, or not ours to open
            }
        }
        return null;
    }
}
