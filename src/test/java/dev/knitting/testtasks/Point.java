package dev.knitting.testtasks;

/**
 * A small record payload.
 *
 * @param x the x coordinate
 * @param y the y coordinate
 */
public record Point(int x, int y) {
}
