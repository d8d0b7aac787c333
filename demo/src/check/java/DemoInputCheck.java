import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The end-to-end check of {@code scripts/demo --input}, run by {@code scripts/test} with the
 * source-file launcher (it is not part of the demo module).
 *
 * <pre>
 * java DemoInputCheck.java images DIR          writes the test pictures into DIR, one name a line on stdout
 * java DemoInputCheck.java verify INPUT OUTDIR checks OUTDIR/source.png and OUTDIR/edges.png against INPUT
 * </pre>
 *
 * The pictures are small and of odd sizes, and each takes another path through the demo's reader:
 * a colour PNG with transparent and half-transparent parts (laid over white), a colour JPEG, and a
 * 16-bit grayscale PNG (samples read as they are, scaled to 8 bits). {@code verify} decodes the
 * input on its own and wants {@code source.png} to be exactly that picture (channel order, size,
 * transparency; for the JPEG the same decoder's output), and {@code edges.png} of the same size
 * with both edges and flat black in it. The demo itself checks that every variant's edges are
 * byte-identical to a single-thread reference. Exit status 0 when all holds, 1 with the reasons.
 */
public final class DemoInputCheck {
    private DemoInputCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("images")) {
            writeImages(Path.of(args[1]));
        } else if (args.length == 3 && args[0].equals("verify")) {
            List<String> problems = verify(Path.of(args[1]), Path.of(args[2]));
            if (!problems.isEmpty()) {
                problems.forEach(p -> System.err.println("demo --input " + args[1] + ": " + p));
                System.exit(1);
            }
            System.out.println("ok: " + args[2] + " holds the picture and its edges");
        } else {
            System.err.println("usage: java DemoInputCheck.java images DIR | verify INPUT OUTDIR");
            System.exit(2);
        }
    }

    private static void writeImages(Path dir) throws IOException {
        Files.createDirectories(dir);
        BufferedImage rgba = new BufferedImage(301, 77, BufferedImage.TYPE_INT_ARGB);
        BufferedImage photo = new BufferedImage(160, 123, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage gray = new BufferedImage(97, 64, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < rgba.getHeight(); y++) {
            for (int x = 0; x < rgba.getWidth(); x++) {
                boolean disc = sq(x - 150) + sq(y - 38) < sq(30);
                int alpha = x < 40 ? 0 : x < 80 ? 128 : 255;
                int rgb = disc ? 0x1E90FF : (x * 255 / 300) << 16 | (y * 255 / 76) << 8 | 0x40;
                rgba.setRGB(x, y, alpha << 24 | rgb);
            }
        }
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                boolean square = x > 50 && x < 110 && y > 30 && y < 90;
                photo.setRGB(x, y, square ? 0xF0E020 : (x * 255 / 159) << 16 | 0x30 << 8 | (y * 255 / 122));
            }
        }
        for (int y = 0; y < gray.getHeight(); y++) {
            for (int x = 0; x < gray.getWidth(); x++) {
                boolean bar = x > 30 && x < 60;
                gray.getRaster().setSample(x, y, 0, bar ? 65535 : x * 65535 / 96);
            }
        }
        write(rgba, "png", dir.resolve("rgba-301x77.png"));
        write(photo, "jpeg", dir.resolve("photo-160x123.jpg"));
        write(gray, "png", dir.resolve("gray16-97x64.png"));
    }

    private static void write(BufferedImage image, String format, Path file) throws IOException {
        if (!ImageIO.write(image, format, file.toFile())) {
            throw new IOException("ImageIO has no " + format + " writer");
        }
        System.out.println(file.getFileName());
    }

    private static List<String> verify(Path input, Path out) throws IOException {
        List<String> problems = new ArrayList<>();
        BufferedImage in = read(input.toFile());
        BufferedImage source = read(out.resolve("source.png").toFile());
        BufferedImage edges = read(out.resolve("edges.png").toFile());
        for (var named : List.of(new Named("source.png", source), new Named("edges.png", edges))) {
            if (named.image.getWidth() != in.getWidth() || named.image.getHeight() != in.getHeight()) {
                problems.add(named.name + " is " + named.image.getWidth() + "x" + named.image.getHeight()
                        + ", the input " + in.getWidth() + "x" + in.getHeight());
            }
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        int wrong = 0;
        String first = null;
        int black = 0;
        int lit = 0;
        for (int y = 0; y < in.getHeight(); y++) {
            for (int x = 0; x < in.getWidth(); x++) {
                int expected = expectedRgb(in, x, y);
                int actual = source.getRGB(x, y) & 0xFFFFFF;
                if (actual != expected) {
                    wrong++;
                    if (first == null) {
                        first = String.format("at x=%d y=%d source.png has #%06X, expected #%06X", x, y, actual,
                                expected);
                    }
                }
                if ((edges.getRGB(x, y) & 0xFFFFFF) == 0) {
                    black++;
                } else {
                    lit++;
                }
            }
        }
        if (wrong > 0) {
            problems.add(wrong + " pixels of source.png differ from the input, first " + first);
        }
        if (black == 0 || lit == 0) {
            problems.add("edges.png has " + lit + " lit and " + black + " black pixels; a picture with flat parts"
                    + " and contours has both");
        }
        return problems;
    }

    /**
     * The input's pixel as the demo should have taken it: gray samples as they are (scaled to
     * 8 bits), colour through {@code getRGB}, transparency laid over white.
     */
    private static int expectedRgb(BufferedImage in, int x, int y) {
        if (in.getType() == BufferedImage.TYPE_USHORT_GRAY || in.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            int bits = in.getColorModel().getComponentSize(0);
            int max = (1 << bits) - 1;
            int v = (in.getRaster().getSample(x, y, 0) * 255 + max / 2) / max;
            return v << 16 | v << 8 | v;
        }
        int argb = in.getRGB(x, y);
        int a = argb >>> 24;
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int c = argb >> shift & 0xFF;
            rgb |= ((c * a + 255 * (255 - a) + 127) / 255) << shift;
        }
        return rgb;
    }

    private static BufferedImage read(File file) throws IOException {
        BufferedImage image = ImageIO.read(file);
        if (image == null) {
            throw new IOException(file + " is not a picture ImageIO can read");
        }
        return image;
    }

    private static int sq(int v) {
        return v * v;
    }

    private record Named(String name, BufferedImage image) {
    }
}
