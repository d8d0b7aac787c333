package dev.knitting.demo;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The filter chain of one row band: grayscale, 5x5 Gaussian blur, Sobel edge magnitude, and the
 * edges painted in the source's own colours (bright where the picture has edges, black elsewhere).
 *
 * <p>Pixels are RGB, three bytes each, rows one after the other. Every step uses integer
 * arithmetic and clamps coordinates to the whole image (not to the band), so an output row is the
 * same whichever band computed it: any tiling, any worker kind, gives byte-identical images.
 * A band {@code [y0, y1)} reads the source rows {@code [y0 - HALO, y1 + HALO)} (clipped to the
 * image): two for the blur's radius, one for Sobel's.
 *
 * <p>Both buffers may hold a window of the image instead of all of it: {@code srcRow0} and
 * {@code dstRow0} name the image row at their offset 0 (0 for whole images).
 *
 * <p>The kernel reads each source row and writes each output row with one bulk
 * {@link MemorySegment#copy} through a row-sized array (a few KiB that stay in the L1 cache) and
 * does its arithmetic on arrays. Why: the same code runs over shared, confined and heap segments
 * (shared buffers, moved references, byte[] payloads), and with per-byte segment access the JIT's
 * code depended on which kinds it had profiled first, varying by 1.6x from run to run (10x for a
 * while in some runs); bulk copies check the segment once per row. These row buffers are the
 * kernel's scratch memory, not transport: the demo's table counts how pixels reach a worker.
 */
public final class EdgeKernel {
    /** Extra source rows a band needs above and below: blur radius 2 plus Sobel radius 1. */
    public static final int HALO = 3;
    /** Bytes per pixel. */
    public static final int CHANNELS = 3;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private EdgeKernel() {
    }

    /** @return the first source row band {@code [y0, ...)} reads */
    public static int firstSourceRow(int y0) {
        return Math.max(0, y0 - HALO);
    }

    /** @return the source row after the last one band {@code [..., y1)} reads */
    public static int endSourceRow(int y1, int height) {
        return Math.min(height, y1 + HALO);
    }

    /**
     * Computes rows {@code [y0, y1)} of the output.
     *
     * @return the source bytes read (band and halo rows)
     */
    public static long run(MemorySegment src, int srcRow0, MemorySegment dst, int dstRow0,
                           int width, int height, int y0, int y1) {
        if (width <= 0 || height <= 0 || y0 < 0 || y1 > height || y0 >= y1) {
            throw new IllegalArgumentException("band width=" + width + " height=" + height + " y0=" + y0
                    + " y1=" + y1);
        }
        int g0 = firstSourceRow(y0);
        int g1 = endSourceRow(y1, height);
        int b0 = Math.max(0, y0 - 1);
        int b1 = Math.min(height, y1 + 1);
        long rowBytes = (long) width * CHANNELS;

        // 1. grayscale of rows [g0, g1) (BT.601 weights summing to 256)
        byte[] row = new byte[Math.toIntExact(rowBytes)];
        byte[] gray = new byte[(g1 - g0) * width];
        for (int y = g0; y < g1; y++) {
            MemorySegment.copy(src, BYTE, (y - srcRow0) * rowBytes, row, 0, row.length);
            int out = (y - g0) * width;
            for (int x = 0, in = 0; x < width; x++, in += CHANNELS) {
                int r = row[in] & 0xFF;
                int g = row[in + 1] & 0xFF;
                int b = row[in + 2] & 0xFF;
                gray[out + x] = (byte) ((77 * r + 150 * g + 29 * b + 128) >> 8);
            }
        }

        // 2. horizontal pass of the binomial kernel 1 4 6 4 1 (sums up to 16 * 255)
        short[] horizontal = new short[gray.length];
        for (int i = 0; i < g1 - g0; i++) {
            int base = i * width;
            for (int x = 0; x < width; x++) {
                int s = (gray[base + clamp(x - 2, width)] & 0xFF) + 4 * (gray[base + clamp(x - 1, width)] & 0xFF)
                        + 6 * (gray[base + x] & 0xFF)
                        + 4 * (gray[base + clamp(x + 1, width)] & 0xFF) + (gray[base + clamp(x + 2, width)] & 0xFF);
                horizontal[base + x] = (short) s;
            }
        }

        // 3. vertical pass for rows [b0, b1): total weight 256, rounded
        byte[] blurred = new byte[(b1 - b0) * width];
        for (int y = b0; y < b1; y++) {
            int m2 = (clamp(y - 2, height) - g0) * width;
            int m1 = (clamp(y - 1, height) - g0) * width;
            int c = (y - g0) * width;
            int p1 = (clamp(y + 1, height) - g0) * width;
            int p2 = (clamp(y + 2, height) - g0) * width;
            int out = (y - b0) * width;
            for (int x = 0; x < width; x++) {
                int s = horizontal[m2 + x] + 4 * horizontal[m1 + x] + 6 * horizontal[c + x]
                        + 4 * horizontal[p1 + x] + horizontal[p2 + x];
                blurred[out + x] = (byte) ((s + 128) >> 8);
            }
        }

        // 4. Sobel magnitude of rows [y0, y1), painted with the source colour
        byte[] painted = new byte[row.length];
        for (int y = y0; y < y1; y++) {
            int up = (clamp(y - 1, height) - b0) * width;
            int mid = (y - b0) * width;
            int down = (clamp(y + 1, height) - b0) * width;
            MemorySegment.copy(src, BYTE, (y - srcRow0) * rowBytes, row, 0, row.length);
            for (int x = 0, p = 0; x < width; x++, p += CHANNELS) {
                int l = clamp(x - 1, width);
                int r = clamp(x + 1, width);
                int a = blurred[up + l] & 0xFF;
                int b = blurred[up + x] & 0xFF;
                int c = blurred[up + r] & 0xFF;
                int d = blurred[mid + l] & 0xFF;
                int f = blurred[mid + r] & 0xFF;
                int g = blurred[down + l] & 0xFF;
                int h = blurred[down + x] & 0xFF;
                int i = blurred[down + r] & 0xFF;
                int gx = (c + 2 * f + i) - (a + 2 * d + g);
                int gy = (g + 2 * h + i) - (a + 2 * b + c);
                int magnitude = Math.min(255, (Math.abs(gx) + Math.abs(gy)) * 2);
                painted[p] = paint(row[p], magnitude);
                painted[p + 1] = paint(row[p + 1], magnitude);
                painted[p + 2] = paint(row[p + 2], magnitude);
            }
            MemorySegment.copy(painted, 0, dst, BYTE, (y - dstRow0) * rowBytes, painted.length);
        }
        return (g1 - g0) * rowBytes;
    }

    /** A channel scaled by the edge magnitude, up to twice as bright on the strongest edges. */
    private static byte paint(byte channel, int magnitude) {
        return (byte) Math.min(255, ((channel & 0xFF) * magnitude) >> 7);
    }

    private static int clamp(int v, int size) {
        return v < 0 ? 0 : v >= size ? size - 1 : v;
    }
}
