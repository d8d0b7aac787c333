package dev.knitting.internal.lane;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The payload of one message as {@link MessageSender} reads it: a length and a way to copy any
 * range of it into ring memory. The sender copies each fragment's range straight from here into its
 * claimed record, so a payload whose parts live in several objects (an encoder's buffer and the
 * caller's arrays) is copied once, without being gathered into one buffer first.
 *
 * <p>A source must give the same bytes for the same range while one send is in progress.
 */
public interface PayloadSource {
    /** @return the payload's length in bytes */
    long byteSize();

    /**
     * Copies payload bytes {@code [from, from + length)} to {@code dst} at {@code dstOffset}.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code [0, byteSize())}
     */
    void copyTo(long from, MemorySegment dst, long dstOffset, long length);

    /** @return a source of the bytes of {@code segment} (any kind), read at each copy */
    static PayloadSource of(MemorySegment segment) {
        return new SegmentSource(Objects.requireNonNull(segment, "segment"));
    }

    /** One contiguous segment. */
    record SegmentSource(MemorySegment segment) implements PayloadSource {
        @Override
        public long byteSize() {
            return segment.byteSize();
        }

        @Override
        public void copyTo(long from, MemorySegment dst, long dstOffset, long length) {
            MemorySegment.copy(segment, from, dst, dstOffset, length);
        }
    }
}
