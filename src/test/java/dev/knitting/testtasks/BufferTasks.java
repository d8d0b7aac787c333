package dev.knitting.testtasks;

import dev.knitting.Envelope;
import dev.knitting.Task;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.nio.ByteBuffer;

/**
 * Tasks over zero-copy payloads: shared buffers, moved references and envelopes. Each reads or
 * writes the bytes it was handed, so a test sees whether both sides really share them.
 */
public final class BufferTasks {
    /** A buffer and the byte to fill it with. */
    public record Fill(ProcessSharedBuffer buffer, byte value) {
    }

    private static volatile ProcessSharedBuffer kept;

    /** Sum of the buffer's bytes (unsigned). */
    public static final Task<ProcessSharedBuffer, Long> SUM = Task.of(BufferTasks::sum);
    /** Writes {@code value} into every byte of the buffer; returns how many bytes it wrote. */
    public static final Task<Fill, Long> FILL = Task.of(f -> {
        f.buffer().segment().fill(f.value());
        return f.buffer().byteSize();
    });
    /** Returns the buffer it got. */
    public static final Task<ProcessSharedBuffer, ProcessSharedBuffer> ECHO = Task.of(b -> b);
    /** Creates a buffer of {@code n} bytes in the worker, each 7, and returns it. */
    public static final Task<Integer, ProcessSharedBuffer> CREATE_SEVENS = Task.of(n -> {
        ProcessSharedBuffer b = ProcessSharedBuffer.create(n);
        b.segment().fill((byte) 7);
        return b;
    });
    /** Keeps the buffer in a static field of the worker; returns its size. */
    public static final Task<ProcessSharedBuffer, Long> KEEP = Task.of(b -> {
        kept = b;
        return b.byteSize();
    });
    /** Reads the first byte of the buffer {@link #KEEP} kept: what happens to a buffer kept past its call. */
    public static final Task<Object, String> READ_KEPT = Task.of(ignored -> {
        try {
            return "read " + kept.segment().get(ValueLayout.JAVA_BYTE, 0);
        } catch (IllegalStateException e) {
            return "IllegalStateException";
        }
    });
    /** Answers an envelope whose header is the argument's header plus "!" and whose body is the same body. */
    public static final Task<Envelope<String, Object>, Envelope<String, Object>> ENVELOPE_ECHO =
            Task.of(e -> new Envelope<>(e.header() + "!", e.body()));
    /** Describes the envelope body it got: its class and a byte sum. */
    public static final Task<Envelope<String, Object>, String> ENVELOPE_DESCRIBE = Task.of(e -> describe(e.body()));
    /** Adds one to every byte of the reference, in place, and moves it back. */
    public static final Task<BufferReference, BufferReference> INCREMENT = Task.of(r -> {
        MemorySegment s = r.segment();
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (s.get(ValueLayout.JAVA_BYTE, i) + 1));
        }
        return r;
    });
    /** Releases the reference it got; returns its size. */
    public static final Task<BufferReference, Long> RELEASE = Task.of(r -> {
        long n = r.byteSize();
        r.release();
        return n;
    });
    /** {@link #RELEASE} with a 200 ms limit per call, which a call queued behind a busy worker passes. */
    public static final Task<BufferReference, Long> RELEASE_WITHIN_200_MS = RELEASE.timeout(Duration.ofMillis(200));
    /** Allocates a reference of {@code n} bytes, each 9, and moves it to the caller. */
    public static final Task<Integer, BufferReference> ALLOCATE_NINES = Task.of(n -> {
        BufferReference r = BufferReference.allocate(n);
        r.segment().fill((byte) 9);
        return r;
    });

    private BufferTasks() {
    }


    private static long sum(ProcessSharedBuffer b) {
        MemorySegment s = b.segment();
        long total = 0;
        for (long i = 0; i < s.byteSize(); i++) {
            total += s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
        }
        return total;
    }

    private static String describe(Object body) {
        MemorySegment s = switch (body) {
            case byte[] b -> MemorySegment.ofArray(b);
            case ByteBuffer b -> MemorySegment.ofBuffer(b);
            case MemorySegment m -> m;
            case ProcessSharedBuffer b -> b.segment();
            case BufferReference r -> r.segment();
            default -> throw new IllegalArgumentException(body.getClass().getName());
        };
        long total = 0;
        for (long i = 0; i < s.byteSize(); i++) {
            total += s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
        }
        String kind = body instanceof MemorySegment ? "MemorySegment" : body instanceof ByteBuffer ? "ByteBuffer"
                : body.getClass().getSimpleName();
        return kind + ":" + total;
    }
}
