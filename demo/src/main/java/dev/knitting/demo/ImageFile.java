package dev.knitting.demo;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The user's picture ({@code --input}): any file ImageIO decodes (PNG and JPEG, also GIF, BMP,
 * TIFF), turned into the pipeline's RGB rows. Transparent pixels are laid over white, as a viewer
 * shows them. Grayscale pictures keep their sample values: ImageIO's {@code getRGB} would treat
 * their gray as linear light and brighten them, so gray samples are read from the raster instead.
 * Reading and converting is set-up, not what the demo measures.
 */
final class ImageFile {
    /** Largest picture in bytes of RGB: its PNG is written through one {@code byte[]}. */
    static final long MAX_RGB_BYTES = Integer.MAX_VALUE - 8;

    private final Path path;
    private final BufferedImage image;

    private ImageFile(Path path, BufferedImage image) {
        this.path = path;
        this.image = image;
    }

    /**
     * @throws IllegalArgumentException naming {@code --input=path}, when the file is missing,
     *     unreadable, not an image ImageIO knows, or too large
     */
    static ImageFile read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--input=" + path + " is not a file"
                    + (Files.exists(path) ? "" : " (no such file)"));
        }
        BufferedImage image;
        try {
            image = ImageIO.read(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--input=" + path + " cannot be decoded: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("--input=" + path + " is not a picture ImageIO can read"
                    + " (PNG or JPEG; ImageIO also knows GIF, BMP and TIFF)");
        }
        long rgbBytes = (long) image.getWidth() * image.getHeight() * EdgeKernel.CHANNELS;
        if (rgbBytes > MAX_RGB_BYTES) {
            throw new IllegalArgumentException("--input=" + path + " is " + image.getWidth() + "x" + image.getHeight()
                    + " (" + rgbBytes + " bytes of RGB); the demo takes up to " + MAX_RGB_BYTES + " bytes");
        }
        return new ImageFile(path, image);
    }

    Path path() {
        return path;
    }

    int width() {
        return image.getWidth();
    }

    int height() {
        return image.getHeight();
    }

    /** Writes the picture into {@code rgb}: three bytes per pixel, rows one after the other. */
    void copyRgbTo(MemorySegment rgb) {
        int width = width();
        byte[] out = new byte[width * EdgeKernel.CHANNELS];
        int[] argb = new int[width];
        boolean gray = isGray();
        Raster raster = image.getRaster();
        int grayBits = gray ? image.getColorModel().getComponentSize(0) : 0;
        int alphaBits = gray && image.getColorModel().hasAlpha() ? image.getColorModel().getComponentSize(1) : 0;
        int[] samples = new int[width];
        int[] alphas = new int[width];
        for (int y = 0; y < height(); y++) {
            if (gray) {
                raster.getSamples(0, y, width, 1, 0, samples);
                if (alphaBits > 0) {
                    raster.getSamples(0, y, width, 1, 1, alphas);
                }
                for (int x = 0; x < width; x++) {
                    int v = to8Bits(samples[x], grayBits);
                    int a = alphaBits > 0 ? to8Bits(alphas[x], alphaBits) : 255;
                    argb[x] = a << 24 | v << 16 | v << 8 | v;
                }
            } else {
                image.getRGB(0, y, width, 1, argb, 0, width);
            }
            for (int x = 0, o = 0; x < width; x++, o += EdgeKernel.CHANNELS) {
                int p = argb[x];
                int a = p >>> 24;
                out[o] = overWhite(p >> 16 & 0xFF, a);
                out[o + 1] = overWhite(p >> 8 & 0xFF, a);
                out[o + 2] = overWhite(p & 0xFF, a);
            }
            MemorySegment.copy(out, 0, rgb, ValueLayout.JAVA_BYTE, (long) y * out.length, out.length);
        }
    }

    /** Gray with or without alpha, one 8- or 16-bit sample per band (not a palette, not colour). */
    private boolean isGray() {
        return image.getColorModel() instanceof ComponentColorModel model
                && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getRaster().getNumBands() == model.getNumComponents()
                && (model.getTransferType() == DataBuffer.TYPE_BYTE
                    || model.getTransferType() == DataBuffer.TYPE_USHORT);
    }

    /** A sample of {@code bits} bits scaled to 0..255, rounded. */
    static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        long max = (1L << bits) - 1;
        return (int) ((sample * 255L + max / 2) / max);
    }

    /** A channel of a non-premultiplied pixel with alpha {@code a}, laid over white, rounded. */
    static byte overWhite(int channel, int alpha) {
        return (byte) ((channel * alpha + 255 * (255 - alpha) + 127) / 255);
    }
}
