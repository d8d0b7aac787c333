package dev.knitting.demo;

import dev.knitting.shm.ProcessSharedBuffer;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One job for every variant: the picture, the buffer its output goes to, and the bands.
 *
 * @param source the RGB picture, shared
 * @param target the RGB output, shared; every variant overwrites all of it
 * @param width picture width
 * @param height picture height
 * @param bands the tiles, covering every row once
 */
record Frame(ProcessSharedBuffer source, ProcessSharedBuffer target, int width, int height, List<Band> bands) {
    Frame {
        bands = List.copyOf(bands);
    }

    long rowBytes() {
        return (long) width * EdgeKernel.CHANNELS;
    }

    long imageBytes() {
        return rowBytes() * height;
    }

    MemorySegment sourceSegment() {
        return source.segment();
    }

    MemorySegment targetSegment() {
        return target.segment();
    }

    Tile tile(Band band) {
        return new Tile(source, target, width, height, band.y0(), band.y1());
    }
}
