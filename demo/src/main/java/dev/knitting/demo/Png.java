package dev.knitting.demo;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes an RGB segment as a PNG file with ImageIO. ImageIO wants a {@link BufferedImage}, so the
 * pixels are copied once into its BGR array: the one copy of the output the demo makes, counted
 * and printed as such.
 */
final class Png {
    private Png() {
    }

    /** @return the bytes copied into the image buffer */
    static long write(MemorySegment rgb, int width, int height, Path file) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        MemorySegment.copy(rgb, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bgr, 0, bgr.length);
        for (int i = 0; i < bgr.length; i += 3) {
            byte r = bgr[i];
            bgr[i] = bgr[i + 2];
            bgr[i + 2] = r;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("ImageIO has no PNG writer");
        }
        return bgr.length;
    }
}
