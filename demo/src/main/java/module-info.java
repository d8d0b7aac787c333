/**
 * The zero-copy image pipeline demo: a procedural picture cut into row bands, run through
 * grayscale, Gaussian blur and Sobel edge detection by a single thread, an {@code ExecutorService}
 * and Knitting's thread and process workers, with the pixels shared instead of copied.
 * The task package is exported to Knitting alone: its workers read the task fields and build the
 * tile records.
 */
module dev.knitting.demo {
    requires dev.knitting;
    requires java.desktop;

    exports dev.knitting.demo to dev.knitting;
}
