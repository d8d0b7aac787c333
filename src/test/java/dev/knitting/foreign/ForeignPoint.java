package dev.knitting.foreign;

/**
 * A record outside every task class's package: a payload only where the pool allows this package
 * ({@code allowPackages("dev.knitting.foreign")}).
 *
 * @param x the x coordinate
 * @param y the y coordinate
 */
public record ForeignPoint(int x, int y) {
}
