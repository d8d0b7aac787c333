import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Makes the README's small pictures from a default {@code scripts/demo} run: each output pixel is
 * the rounded mean of a {@code factor x factor} block (a box filter, so the result is the same on
 * every JDK). Run with the source-file launcher:
 * <pre>
 * java docs/Shrink.java demo-out/source.png docs/demo-source.png 10
 * java docs/Shrink.java demo-out/edges.png docs/demo-edges.png 10
 * </pre>
 */
public final class Shrink {
    private Shrink() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java docs/Shrink.java IN.png OUT.png FACTOR");
            System.exit(2);
        }
        BufferedImage in = ImageIO.read(new File(args[0]));
        if (in == null) {
            throw new IOException(args[0] + " is not a picture ImageIO can read");
        }
        int factor = Integer.parseInt(args[2]);
        if (factor < 1 || factor > Math.min(in.getWidth(), in.getHeight())) {
            throw new IllegalArgumentException("factor=" + factor + " must be between 1 and the picture's size");
        }
        int width = in.getWidth() / factor;
        int height = in.getHeight() / factor;
        int n = factor * factor;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                long r = 0;
                long g = 0;
                long b = 0;
                for (int dy = 0; dy < factor; dy++) {
                    for (int dx = 0; dx < factor; dx++) {
                        int p = in.getRGB(x * factor + dx, y * factor + dy);
                        r += p >> 16 & 0xFF;
                        g += p >> 8 & 0xFF;
                        b += p & 0xFF;
                    }
                }
                out.setRGB(x, y, (int) ((r + n / 2) / n) << 16 | (int) ((g + n / 2) / n) << 8 | (int) ((b + n / 2) / n));
            }
        }
        ImageIO.write(out, "png", new File(args[1]));
    }
}
