package dev.knitting.internal.share;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Layout of the memory behind a {@code ProcessSharedBuffer}: one header page, then the buffer's
 * bytes, page-aligned.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  magic "KNITPSB1" (8 bytes)                   |  0
 *  +---------------------------------------------------------------+
 *  |                        version (= 1)                          |  8
 *  +---------------------------------------------------------------+
 *  |                        reserved (0)                           | 12
 *  +---------------------------------------------------------------+
 *  |                   data length in bytes (u64)                  | 16
 *  +---------------------------------------------------------------+
 *  |                  token, high 64 bits                          | 24
 *  +---------------------------------------------------------------+
 *  |                  token, low 64 bits                           | 32
 *  +---------------------------------------------------------------+
 *  |        attached: live mappings in all processes (i32)         | 40
 *  +---------------------------------------------------------------+
 *  |                  zero up to DATA_OFFSET                       | 44
 *  +---------------------------------------------------------------+
 *  |                  data (data length bytes)                     | 4096
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Publication rule: the creator writes bytes 0 to 40 before any descriptor of the buffer exists, and
 * nobody writes them afterwards; a receiver reads them with {@code pread} before mapping anything.
 * {@code attached} is the one mutable field (atomic adds): each process adds one while it uses a
 * mapping and takes it back when done, so a worker that keeps an unused mapping for reuse sees
 * when nobody uses the buffer any more and unmaps it. It only ever decides when a worker lets go
 * of a mapping, never what memory is mapped, so a wrong count cannot do harm beyond that.
 */
public final class SharedBufferHeader {
    public static final long MAGIC = 0x3142535054494e4bL; // "KNITPSB1" little-endian
    public static final int VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int DATA_LENGTH_OFFSET = 16;
    public static final int TOKEN_HIGH_OFFSET = 24;
    public static final int TOKEN_LOW_OFFSET = 32;
    public static final int ATTACHED_OFFSET = 40;
    /** Bytes of the header that a receiver checks. */
    public static final int CHECKED_LENGTH = 40;
    /** Where the data starts: one page, so the data is page-aligned. */
    public static final long DATA_OFFSET = 4096;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

    private SharedBufferHeader() {
    }

    /** Counts one more process using the mapping {@code memory} starts. */
    static void attach(MemorySegment memory) {
        int ignored = (int) INT.getAndAdd(memory, (long) ATTACHED_OFFSET, 1);
    }

    /** Counts one process fewer using it. */
    static void detach(MemorySegment memory) {
        int ignored = (int) INT.getAndAdd(memory, (long) ATTACHED_OFFSET, -1);
    }

    /** @return how many processes use the buffer (at most the number of mappings anywhere) */
    static int attached(MemorySegment memory) {
        return (int) INT.getVolatile(memory, (long) ATTACHED_OFFSET);
    }

    /** Writes the header of a new buffer. */
    public static void write(MemorySegment memory, long dataLength, Token token) {
        memory.set(JAVA_LONG_UNALIGNED, MAGIC_OFFSET, MAGIC);
        memory.set(JAVA_INT_UNALIGNED, VERSION_OFFSET, VERSION);
        memory.set(JAVA_LONG_UNALIGNED, DATA_LENGTH_OFFSET, dataLength);
        memory.set(JAVA_LONG_UNALIGNED, TOKEN_HIGH_OFFSET, token.high());
        memory.set(JAVA_LONG_UNALIGNED, TOKEN_LOW_OFFSET, token.low());
    }

    /** @return the {@link #CHECKED_LENGTH} bytes a buffer of this length and token starts with */
    public static MemorySegment expected(Arena arena, long dataLength, Token token) {
        MemorySegment header = arena.allocate(CHECKED_LENGTH);
        write(header, dataLength, token);
        return header;
    }

    /** @return whether {@code memory} starts with a header of this version */
    public static boolean valid(MemorySegment memory) {
        return memory.byteSize() >= DATA_OFFSET
                && memory.get(JAVA_LONG_UNALIGNED, MAGIC_OFFSET) == MAGIC
                && memory.get(JAVA_INT_UNALIGNED, VERSION_OFFSET) == VERSION
                && memory.get(JAVA_LONG_UNALIGNED, DATA_LENGTH_OFFSET) == memory.byteSize() - DATA_OFFSET;
    }

    /** @return the token of a {@link #valid} header */
    public static Token token(MemorySegment memory) {
        return new Token(memory.get(JAVA_LONG_UNALIGNED, TOKEN_HIGH_OFFSET), memory.get(JAVA_LONG_UNALIGNED, TOKEN_LOW_OFFSET));
    }
}
