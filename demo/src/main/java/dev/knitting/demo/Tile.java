package dev.knitting.demo;

/**
 * One call of the zero-copy pipeline: where the whole picture and the whole output live (shared
 * buffers, sent as descriptors) and which output rows to compute. A few dozen bytes travel per
 * call, whatever the picture's size.
 *
 * @param source the RGB picture
 * @param target the RGB output, same size
 * @param width picture width
 * @param height picture height
 * @param y0 first output row of the band
 * @param y1 output row after the last
 */
public record Tile(SharedPixels source, SharedPixels target, int width, int height, int y0, int y1) {
}
