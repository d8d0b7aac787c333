package dev.knitting.testtasks;

/**
 * A record of every primitive component type.
 *
 * @param z a boolean
 * @param b a byte
 * @param s a short
 * @param c a char
 * @param i an int
 * @param j a long
 * @param f a float
 * @param d a double
 */
public record Primitives(boolean z, byte b, short s, char c, int i, long j, float f, double d) {
}
