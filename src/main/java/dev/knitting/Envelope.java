package dev.knitting;

import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A header (any payload value: a record, a map, a string...) travelling with one binary body, each
 * body kind with its own semantics:
 * <ul>
 *   <li>{@code byte[]}, {@link ByteBuffer}, {@link MemorySegment}: copied; the receiver gets a
 *       {@code byte[]}, a heap {@code ByteBuffer}, or a heap {@code MemorySegment};</li>
 *   <li>{@link ProcessSharedBuffer}: shared; only its descriptor travels;</li>
 *   <li>{@link BufferReference}: moved (to thread and process workers).</li>
 * </ul>
 * Closing an envelope closes a closeable body (a shared buffer or a reference).
 *
 * @param header any payload value, may be null
 * @param body one of the five body kinds, never null
 * @param <H> header type
 * @param <B> body type
 */
public record Envelope<H, B>(H header, B body) implements AutoCloseable {
    /**
     * Checks that the body is one of the five kinds.
     *
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalArgumentException if {@code body} is not one of the five body kinds
     */
    public Envelope {
        Objects.requireNonNull(body, "body");
        if (!(body instanceof byte[] || body instanceof ByteBuffer || body instanceof MemorySegment
                || body instanceof ProcessSharedBuffer || body instanceof BufferReference)) {
            throw new IllegalArgumentException("Envelope body must be a byte[], ByteBuffer, MemorySegment,"
                    + " ProcessSharedBuffer or BufferReference: body=" + body.getClass().getName());
        }
    }

    /** Closes the body if it is a {@link ProcessSharedBuffer} or {@link BufferReference}. */
    @Override
    public void close() {
        if (body instanceof ProcessSharedBuffer b) {
            b.close();
        } else if (body instanceof BufferReference r) {
            r.close();
        }
    }
}
