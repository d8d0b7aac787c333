package dev.knitting.demo;

/** One way of running the pipeline over all bands of a {@link Frame}. */
interface Variant extends AutoCloseable {
    /** @return the table's first column */
    String name();

    /** @return how many threads or processes compute the tiles */
    int workers();

    /**
     * Computes every band of {@code frame} into its target and returns when all are written.
     *
     * @return the pixel bytes copied and shared on the way
     */
    Traffic run(Frame frame) throws Exception;

    /** Stops this variant's threads or processes; nothing by default. */
    @Override
    default void close() {
    }
}
