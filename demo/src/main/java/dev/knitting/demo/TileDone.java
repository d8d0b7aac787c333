package dev.knitting.demo;

/**
 * What a worker reports for a tile of the zero-copy pipeline: the pixel bytes it read and wrote
 * in the shared buffers, counted where they were touched rather than assumed.
 *
 * @param bytesRead source bytes read, halo rows included
 * @param bytesWritten output bytes written
 */
public record TileDone(long bytesRead, long bytesWritten) {
}
