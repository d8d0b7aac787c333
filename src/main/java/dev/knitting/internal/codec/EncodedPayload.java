package dev.knitting.internal.codec;

import dev.knitting.internal.lane.PayloadSource;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The last payload a {@link PayloadEncoder} encoded, as the ring sender reads it: the encoder's
 * buffer with the deferred bulk bodies ({@link Deferred}) spliced in. {@link #copyTo} copies any
 * range straight from those parts into its destination, so a large array crosses into the ring in
 * one copy. Valid until the encoder's next encode or {@link PayloadEncoder#sent()}.
 */
final class EncodedPayload implements PayloadSource {
    private final EncodeBuffer out;
    private long length;

    EncodedPayload(EncodeBuffer out) {
        this.out = out;
    }

    void length(long length) {
        this.length = length;
    }

    @Override
    public long byteSize() {
        return length;
    }

    /** @return whether every byte is in the encoder's buffer (nothing deferred) */
    boolean contiguous() {
        return out.deferred().count() == 0;
    }

    @Override
    public void copyTo(long from, MemorySegment dst, long dstOffset, long n) {
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(from, n, length);
        MemorySegment buffer = out.segment();
        Deferred deferred = out.deferred();
        if (deferred.count() == 0) {
            MemorySegment.copy(buffer, from, dst, dstOffset, n);
            return;
        }
        // Walk the parts in payload order: buffer run, body, buffer run, body, ..., buffer run.
        long partStart = 0; // payload offset of the current part
        int bufferFrom = 0; // buffer offset of the current buffer run
        long end = from + n;
        for (int i = 0; i <= deferred.count() && from < end; i++) {
            int bufferTo = i < deferred.count() ? deferred.at(i) : out.position();
            long runEnd = partStart + (bufferTo - bufferFrom);
            if (from < runEnd) {
                long k = Math.min(end, runEnd) - from;
                MemorySegment.copy(buffer, bufferFrom + (from - partStart), dst, dstOffset, k);
                from += k;
                dstOffset += k;
            }
            partStart = runEnd;
            bufferFrom = bufferTo;
            if (i == deferred.count() || from >= end) {
                break;
            }
            MemorySegment body = deferred.body(i);
            long bodyEnd = partStart + body.byteSize();
            if (from < bodyEnd) {
                long k = Math.min(end, bodyEnd) - from;
                MemorySegment.copy(body, from - partStart, dst, dstOffset, k);
                from += k;
                dstOffset += k;
            }
            partStart = bodyEnd;
        }
    }
}
