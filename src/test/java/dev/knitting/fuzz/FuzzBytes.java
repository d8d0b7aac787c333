package dev.knitting.fuzz;

/**
 * Reads a fuzz input front to back as little-endian numbers. Past the end every read is zero, so
 * any input, however short, describes a complete scenario.
 */
final class FuzzBytes {
    private final byte[] input;
    private int pos;

    FuzzBytes(byte[] input) {
        this.input = input;
    }

    boolean hasMore() {
        return pos < input.length;
    }

    int u8() {
        return pos < input.length ? input[pos++] & 0xFF : 0;
    }

    int u16() {
        return u8() | u8() << 8;
    }

    long i64() {
        long v = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            v |= (long) u8() << (8 * i);
        }
        return v;
    }

    /** @return the next {@code n} bytes, fewer when the input ends first */
    byte[] bytes(int n) {
        int k = Math.min(n, input.length - pos);
        byte[] out = java.util.Arrays.copyOfRange(input, pos, pos + k);
        pos += k;
        return out;
    }
}
