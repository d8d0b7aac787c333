package dev.knitting.demo;

/**
 * One call of the copying pipeline, for contrast: the band's source rows (halo included) travel
 * by value as a {@code byte[]}, and the output rows come back the same way.
 *
 * @param rows RGB source rows {@code [firstRow, firstRow + rows.length / (3 * width))}
 * @param firstRow the picture row of {@code rows}' first row
 * @param width picture width
 * @param height picture height
 * @param y0 first output row of the band
 * @param y1 output row after the last
 */
public record CopiedTile(byte[] rows, int firstRow, int width, int height, int y0, int y1) {
}
