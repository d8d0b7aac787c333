package dev.knitting.demo;

import java.nio.file.Path;

/**
 * Command-line options of the demo.
 *
 * @param input the user's image file (PNG or JPEG), or {@code null} for the generated picture
 * @param size width and height of the generated picture in pixels
 * @param tiles row bands the picture is cut into, or 0 for as many as {@link #tilesFor(int)} picks
 * @param workers threads of the executor, thread and process workers of the pools
 * @param warmup untimed rounds first (JIT warm-up, in the workers too)
 * @param rounds timed rounds; the table shows the best and the median
 * @param out folder the PNG files go to
 */
record DemoOptions(Path input, int size, int tiles, int workers, int warmup, int rounds, Path out) {
    /** The most bands a picture may be cut into (it cannot have more rows than this either). */
    static final int MAX_TILES = 1 << 20;

    static final String USAGE = """
            usage: scripts/demo [--input FILE | --size N] [--tiles N] [--workers N] [--rounds N] [--warmup N]
                                [--out DIR] [--quick]
              --input FILE your own picture, PNG or JPEG (any size)      [a generated Mandelbrot view]
              --size N     width and height of the generated picture     [4096]
              --tiles N    row bands the picture is cut into             [height / 128, at least 4 per worker]
              --workers N  threads / processes of each parallel variant  [available processors]
              --rounds N   timed rounds; the table shows best and median [5]
              --warmup N   untimed rounds before them                    [2]
              --out DIR    where source.png and edges.png go             [demo-out]
              --quick      a small, fast run: --size 1024 --rounds 3 --warmup 2 (with --input: the
                           rounds only)
            """;

    DemoOptions {
        check("size", size, 16, 16384);
        check("tiles", tiles, 0, MAX_TILES);
        if (input == null && tiles > size) {
            throw new IllegalArgumentException("--tiles=" + tiles + " must be at most the picture's height " + size);
        }
        check("workers", workers, 1, 256);
        check("warmup", warmup, 0, 1000);
        check("rounds", rounds, 1, 1000);
    }

    /**
     * @throws IllegalArgumentException naming the option, for a bad or unknown option
     */
    static DemoOptions parse(String... args) {
        Path input = null;
        boolean sizeGiven = false;
        int size = 4096;
        int tiles = 0;
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        int warmup = 2;
        int rounds = 5;
        Path out = Path.of("demo-out");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--quick" -> {
                    size = 1024;
                    rounds = 3;
                    warmup = 2;
                }
                case "--input" -> input = Path.of(value(args, ++i, option));
                case "--size" -> {
                    size = number(option, value(args, ++i, option));
                    sizeGiven = true;
                }
                case "--tiles" -> tiles = number(option, value(args, ++i, option));
                case "--workers" -> workers = number(option, value(args, ++i, option));
                case "--rounds" -> rounds = number(option, value(args, ++i, option));
                case "--warmup" -> warmup = number(option, value(args, ++i, option));
                case "--out" -> out = Path.of(value(args, ++i, option));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (input != null && sizeGiven) {
            throw new IllegalArgumentException("--size=" + size + " and --input=" + input + " exclude each other:"
                    + " the picture's size is the input's");
        }
        return new DemoOptions(input, size, tiles, workers, warmup, rounds, out);
    }

    /**
     * @param height the picture's height in rows
     * @return the bands to cut it into: {@code --tiles} if given, else {@code height / 128} (rows of
     *     128 pixels), at least 4 per worker, at most one per row
     * @throws IllegalArgumentException if {@code --tiles} is more than the picture has rows
     */
    int tilesFor(int height) {
        if (tiles == 0) {
            return Math.min(height, Math.max(height / 128, 4 * workers));
        }
        if (tiles > height) {
            throw new IllegalArgumentException("--tiles=" + tiles + " must be at most the picture's height " + height);
        }
        return tiles;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int number(String option, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + "=" + text + " is not a whole number", e);
        }
    }

    private static void check(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("--" + option + "=" + value + " must be between " + min + " and " + max);
        }
    }
}
