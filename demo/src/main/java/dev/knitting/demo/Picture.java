package dev.knitting.demo;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;

/**
 * The input picture: a view of the Mandelbrot set's seahorse valley, coloured in bands of a
 * cosine palette so the edge detector has contours to find. Rendered row by row on the host's
 * common fork-join pool (it is the set-up, not what the demo measures); the same size always
 * gives the same bytes ({@link StrictMath} palette, plain double arithmetic).
 */
final class Picture {
    private static final double CENTER_X = -0.743643887037151;
    private static final double CENTER_Y = 0.131825904205330;
    private static final double SPAN = 0.0125;
    private static final int MAX_ITERATIONS = 256;
    private static final int BANDS = 48;
    private static final byte[] PALETTE = palette();

    private Picture() {
    }

    /** Renders a {@code width x height} RGB picture into {@code rgb}. */
    static void render(MemorySegment rgb, int width, int height) {
        double step = SPAN / Math.min(width, height);
        double left = CENTER_X - step * width / 2;
        double top = CENTER_Y - step * height / 2;
        IntStream.range(0, height).parallel().forEach(y -> {
            long out = (long) y * width * EdgeKernel.CHANNELS;
            double ci = top + step * y;
            for (int x = 0; x < width; x++, out += EdgeKernel.CHANNELS) {
                int n = escape(left + step * x, ci);
                int p = n >= MAX_ITERATIONS ? BANDS : n % BANDS;
                MemorySegment.copy(PALETTE, p * 3, rgb, ValueLayout.JAVA_BYTE, out, 3);
            }
        });
    }

    /** @return iterations until |z| > 2, or {@link #MAX_ITERATIONS} inside the set */
    private static int escape(double cr, double ci) {
        double zr = 0;
        double zi = 0;
        for (int n = 0; n < MAX_ITERATIONS; n++) {
            double zr2 = zr * zr;
            double zi2 = zi * zi;
            if (zr2 + zi2 > 4) {
                return n;
            }
            zi = 2 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
        }
        return MAX_ITERATIONS;
    }

    /** {@link #BANDS} colours of a cosine palette, then deep blue for the inside of the set. */
    private static byte[] palette() {
        byte[] colours = new byte[(BANDS + 1) * 3];
        double[] phase = {0.00, 0.33, 0.67};
        for (int i = 0; i < BANDS; i++) {
            double t = (double) i / BANDS;
            for (int c = 0; c < 3; c++) {
                double v = 0.5 + 0.5 * StrictMath.cos(2 * Math.PI * (t + phase[c]));
                colours[i * 3 + c] = (byte) Math.round(40 + 215 * v);
            }
        }
        colours[BANDS * 3] = 10;
        colours[BANDS * 3 + 1] = 12;
        colours[BANDS * 3 + 2] = 40;
        return colours;
    }
}
