package dev.knitting.demo;

/**
 * Pixel bytes of one run, by how they reached the workers that used them.
 *
 * @param copied bytes copied in transit: bands cut out and results pasted back by the demo, and
 *     payload bytes that travelled by value, each counted once (a lower bound: a lane copies a
 *     payload into and out of its shared memory)
 * @param shared bytes workers read or wrote in place: in the same heap, through a
 *     {@code ProcessSharedBuffer} descriptor, or moved with a {@code BufferReference}
 */
record Traffic(long copied, long shared) {
    static final Traffic NONE = new Traffic(0, 0);

    Traffic plus(Traffic other) {
        return new Traffic(copied + other.copied, shared + other.shared);
    }
}
