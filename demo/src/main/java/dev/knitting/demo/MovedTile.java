package dev.knitting.demo;

import dev.knitting.unsafe.BufferReference;

/**
 * One call of the moving pipeline (thread workers only): the band's source rows, halo included, in
 * native memory that is moved to the worker, not copied; the worker moves its output rows back the
 * same way.
 *
 * @param rows RGB source rows {@code [firstRow, firstRow + rows.byteSize() / (3 * width))}
 * @param firstRow the picture row of {@code rows}' first row
 * @param width picture width
 * @param height picture height
 * @param y0 first output row of the band
 * @param y1 output row after the last
 */
public record MovedTile(BufferReference rows, int firstRow, int width, int height, int y0, int y1) {
}
