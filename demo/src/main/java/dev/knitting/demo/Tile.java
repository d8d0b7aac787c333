package dev.knitting.demo;

import dev.knitting.shm.ProcessSharedBuffer;

/**
 * One call of the zero-copy pipeline: where the whole picture and the whole output live (two
 * {@link ProcessSharedBuffer}s, which travel as descriptors) and which output rows to compute. A
 * few dozen bytes travel per call, whatever the picture's size; a thread worker sees the host's
 * memory, a process worker maps the same memory for the duration of the call.
 *
 * @param source the RGB picture
 * @param target the RGB output, same size
 * @param width picture width
 * @param height picture height
 * @param y0 first output row of the band
 * @param y1 output row after the last
 */
public record Tile(ProcessSharedBuffer source, ProcessSharedBuffer target, int width, int height, int y0, int y1) {
}
