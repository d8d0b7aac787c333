package dev.knitting.internal.codec;

import dev.knitting.ProtocolException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.knitting.internal.codec.LittleEndian.CHAR_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.DOUBLE_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.FLOAT_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.INT_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.LONG_LAYOUT;
import static dev.knitting.internal.codec.LittleEndian.SHORT_LAYOUT;

/**
 * Both directions of the bulk family: primitive arrays and {@code ByteBuffer}s
 * ({@link Tags#BOOLEAN_ARRAY} to {@link Tags#BYTE_BUFFER}, tags {@code 0x10}-{@code 0x1F}), and
 * the copied {@code MemorySegment} body of an envelope. A new array type touches this file (and
 * its tag and {@link PayloadKind}).
 *
 * <p>Writing leaves large bodies in the caller's object ({@link EncodeBuffer#DEFER_BYTES}); reading
 * allocates the final array once from its checked count and copies the bytes straight into it.
 */
final class ArrayValues {
    private ArrayValues() {
    }

    /** @return whether {@code kind} is an array or buffer kind (then {@code v} was written) */
    static boolean write(EncodeBuffer out, PayloadKind kind, Object v) {
        switch (kind) {
            case BOOLEAN_ARRAY -> out.writeBooleans((boolean[]) v);
            case BYTE_ARRAY -> out.writeBytes(Tags.BYTE_ARRAY, (byte[]) v);
            case SHORT_ARRAY -> out.writeArray(Tags.SHORT_ARRAY, v, ((short[]) v).length, SHORT_LAYOUT);
            case CHAR_ARRAY -> out.writeArray(Tags.CHAR_ARRAY, v, ((char[]) v).length, CHAR_LAYOUT);
            case INT_ARRAY -> out.writeArray(Tags.INT_ARRAY, v, ((int[]) v).length, INT_LAYOUT);
            case LONG_ARRAY -> out.writeArray(Tags.LONG_ARRAY, v, ((long[]) v).length, LONG_LAYOUT);
            case FLOAT_ARRAY -> out.writeArray(Tags.FLOAT_ARRAY, v, ((float[]) v).length, FLOAT_LAYOUT);
            case DOUBLE_ARRAY -> out.writeArray(Tags.DOUBLE_ARRAY, v, ((double[]) v).length, DOUBLE_LAYOUT);
            case BYTE_BUFFER -> out.writeByteBuffer((ByteBuffer) v);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Writes an envelope's {@code MemorySegment} body ({@link Tags#MEMORY_SEGMENT}, copied). */
    static void writeSegmentBody(EncodeBuffer out, MemorySegment body) {
        out.writeSegment(Tags.MEMORY_SEGMENT, body);
    }

    /**
     * Reads the body of an array or buffer whose tag was just read.
     *
     * @throws ProtocolException for a tag outside the family, or a count the remaining bytes cannot hold
     */
    static Object read(DecodeCursor cur, byte tag) {
        switch (tag) {
            case Tags.BOOLEAN_ARRAY:
                return cur.booleans();
            case Tags.BYTE_ARRAY:
                return bytes(cur, tag);
            case Tags.SHORT_ARRAY: {
                int n = cur.count(2, tag);
                return cur.copyIn(new short[n], n, SHORT_LAYOUT);
            }
            case Tags.CHAR_ARRAY: {
                int n = cur.count(2, tag);
                return cur.copyIn(new char[n], n, CHAR_LAYOUT);
            }
            case Tags.INT_ARRAY: {
                int n = cur.count(4, tag);
                return cur.copyIn(new int[n], n, INT_LAYOUT);
            }
            case Tags.LONG_ARRAY: {
                int n = cur.count(8, tag);
                return cur.copyIn(new long[n], n, LONG_LAYOUT);
            }
            case Tags.FLOAT_ARRAY: {
                int n = cur.count(4, tag);
                return cur.copyIn(new float[n], n, FLOAT_LAYOUT);
            }
            case Tags.DOUBLE_ARRAY: {
                int n = cur.count(8, tag);
                return cur.copyIn(new double[n], n, DOUBLE_LAYOUT);
            }
            case Tags.BYTE_BUFFER:
                return byteBuffer(cur);
            default:
                throw new ProtocolException("unknown tag " + Tags.name(tag) + " at offset " + (cur.pos - 1));
        }
    }

    /** Reads the count and bytes of a byte array whose tag ({@code tag}, for messages) was just read. */
    static byte[] bytes(DecodeCursor cur, byte tag) {
        return cur.byteArray(cur.count(1, tag));
    }

    /** Reads an envelope's {@link Tags#MEMORY_SEGMENT} body (the tag just read) into heap memory. */
    static MemorySegment readSegmentBody(DecodeCursor cur) {
        return MemorySegment.ofArray(bytes(cur, Tags.MEMORY_SEGMENT));
    }

    private static ByteBuffer byteBuffer(DecodeCursor cur) {
        int order = cur.u8();
        if (order != Tags.ORDER_BIG_ENDIAN && order != Tags.ORDER_LITTLE_ENDIAN) {
            throw new ProtocolException("BYTE_BUFFER byte order " + order + " at offset " + (cur.pos - 1) + " is not 0 or 1");
        }
        byte[] b = bytes(cur, Tags.BYTE_BUFFER);
        return ByteBuffer.wrap(b).order(order == Tags.ORDER_LITTLE_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }
}
