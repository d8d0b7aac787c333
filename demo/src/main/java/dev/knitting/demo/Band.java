package dev.knitting.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * Output rows {@code [y0, y1)} of one tile: the picture is cut into horizontal bands of (nearly)
 * equal height, the first ones one row taller when the height does not divide evenly.
 *
 * @param y0 first row
 * @param y1 row after the last
 */
record Band(int y0, int y1) {
    Band {
        if (y0 < 0 || y1 <= y0) {
            throw new IllegalArgumentException("band y0=" + y0 + " y1=" + y1);
        }
    }

    /** @return {@code count} bands covering rows {@code [0, height)} */
    static List<Band> split(int height, int count) {
        if (count < 1 || count > height) {
            throw new IllegalArgumentException("tiles=" + count + " must be between 1 and the height " + height);
        }
        List<Band> bands = new ArrayList<>(count);
        int y = 0;
        for (int i = 0; i < count; i++) {
            int rows = height / count + (i < height % count ? 1 : 0);
            bands.add(new Band(y, y + rows));
            y += rows;
        }
        return List.copyOf(bands);
    }

    /** @return the source rows this band reads, halo included, clipped to the picture */
    int sourceRows(int height) {
        return EdgeKernel.endSourceRow(y1, height) - EdgeKernel.firstSourceRow(y0);
    }

    int rows() {
        return y1 - y0;
    }
}
