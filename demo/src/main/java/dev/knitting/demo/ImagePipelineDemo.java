package dev.knitting.demo;

import dev.knitting.Knitting;
import dev.knitting.Pool;
import dev.knitting.TaskCall;
import dev.knitting.WorkerRuntime;
import dev.knitting.shm.ProcessSharedBuffer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The zero-copy image pipeline: renders a picture (or reads the user's, {@code --input}), cuts it
 * into row bands, runs grayscale, blur
 * and Sobel over them with a single thread, an {@code ExecutorService} and Knitting's thread and
 * process workers (rounds interleaved, warmed up), checks that every output is byte-identical,
 * prints the table and writes the PNG files. Exit status 0 when every output matched, 1 when one
 * did not, 2 for a bad option.
 */
public final class ImagePipelineDemo {
    private ImagePipelineDemo() {
    }

    /** @param args see {@link DemoOptions#USAGE} */
    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(DemoOptions.USAGE);
            return;
        }
        DemoOptions options;
        ImageFile input;
        int tiles;
        try {
            options = DemoOptions.parse(args);
            input = options.input() == null ? null : ImageFile.read(options.input());
            int width = input == null ? options.size() : input.width();
            int height = input == null ? options.size() : input.height();
            tiles = options.tilesFor(height);
            CopiedTilesVariant.checkFits(Band.split(height, tiles), width, height);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        int status = run(options, input, tiles);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * @param input the user's picture, or {@code null} to render the Mandelbrot view
     * @param tiles the row bands to cut the picture into
     */
    static int run(DemoOptions o, ImageFile input, int tiles) throws Exception {
        int width = input == null ? o.size() : input.width();
        int height = input == null ? o.size() : input.height();
        long imageBytes = (long) width * height * EdgeKernel.CHANNELS;
        System.out.printf(Locale.ROOT, "Knitting image pipeline: %dx%d picture (%s, %s RGB), %d tiles, %d workers,"
                + " best of %d rounds after %d warm-up%n", width, height,
                input == null ? "generated" : input.path(), ResultTable.bytes(imageBytes), tiles,
                o.workers(), o.rounds(), o.warmup());
        System.out.printf(Locale.ROOT, "Java %s (%s), %s %s, %d CPUs%n", Runtime.version(),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
        try (ProcessSharedBuffer source = ProcessSharedBuffer.create(imageBytes);
             ProcessSharedBuffer target = ProcessSharedBuffer.create(imageBytes);
             Arena arena = Arena.ofConfined()) {
            Frame frame = new Frame(source, target, width, height, Band.split(height, tiles));
            long start = System.nanoTime();
            if (input == null) {
                Picture.render(source.segment(), width, height);
            } else {
                input.copyRgbTo(source.segment());
            }
            // the reference: one band, one thread; every variant's tiled output must equal it
            new SingleThreadVariant().run(new Frame(source, target, width, height, List.of(new Band(0, height))));
            MemorySegment reference = arena.allocate(imageBytes).copyFrom(target.segment());
            System.out.printf(Locale.ROOT, "%s the picture and computed the reference output in %s%n",
                    input == null ? "rendered" : "read", ResultTable.millis(System.nanoTime() - start));

            List<Measurements> results = runVariants(o, frame, reference);
            int status = report(results, reference);
            writePictures(o.out(), frame, reference);
            return status;
        }
    }

    private static List<Measurements> runVariants(DemoOptions o, Frame frame, MemorySegment reference)
            throws Exception {
        int n = o.workers();
        long copyingPayload = CopiedTilesVariant.payloadLimit(frame);
        long start = System.nanoTime();
        // Each process variant has worker JVMs of its own, so neither inherits the other's heap or JIT state.
        try (ExecutorVariant executor = new ExecutorVariant(n);
             Pool threads = Knitting.pool().threads(n).start(TileTasks.class);
             Pool processes = processPool(n, 8L << 20);
             Pool copyingProcesses = processPool(n, copyingPayload)) {
            System.out.printf(Locale.ROOT, "started an ExecutorService, %d knitting thread workers and 2 x %d"
                    + " process workers (JVMs) in %s%n", n, n, ResultTable.millis(System.nanoTime() - start));
            describeWorkers(processes, n);
            List<Measurements> results = Stream.of(new SingleThreadVariant(), executor,
                    new SharedTilesVariant("knitting THREAD, shared buffers", n, threads),
                    new MovedTilesVariant("knitting THREAD, moved references", n, threads, false),
                    new SharedTilesVariant("knitting PROCESS, shared buffers", n, processes),
                    new MovedTilesVariant("knitting PROCESS, moved references", n, processes, true),
                    new CopiedTilesVariant("knitting PROCESS, byte[] payloads", n, copyingProcesses))
                    .map(Measurements::new).toList();
            measure(o, frame, reference, results);
            return results;
        }
    }

    /** Prints the table and the verdict; returns the exit status. */
    private static int report(List<Measurements> results, MemorySegment reference) throws NoSuchAlgorithmException {
        System.out.println();
        System.out.print(ResultTable.render(results));
        System.out.println("copied in transit: pixel bytes copied so that a worker could use them (bands cut out"
                + " and results pasted back by the demo, payloads sent by value), each copy counted once.");
        System.out.println("shared in place: pixel bytes workers read or wrote where they were (same heap,"
                + " shared-buffer descriptors, moved references), as the workers reported them.");
        System.out.println();
        int status = 0;
        for (Measurements m : results) {
            if (m.mismatch() != null) {
                System.out.println("MISMATCH: " + m.variant.name() + " differs from the single thread at "
                        + m.mismatch());
                status = 1;
            }
        }
        if (status == 0) {
            System.out.printf(Locale.ROOT, "outputs: byte-identical across all %d variants (sha-256 %s)%n",
                    results.size(), sha256(reference));
        }
        return status;
    }

    private static void writePictures(Path folder, Frame frame, MemorySegment edges) throws IOException {
        Path sourcePng = folder.resolve("source.png");
        Path edgesPng = folder.resolve("edges.png");
        long start = System.nanoTime();
        long copied = Png.write(frame.sourceSegment(), frame.width(), frame.height(), sourcePng);
        copied += Png.write(edges, frame.width(), frame.height(), edgesPng);
        System.out.printf(Locale.ROOT, "wrote %s (input) and %s (edges) in %s; %s copied into BufferedImages"
                + " for ImageIO%n", sourcePng.toAbsolutePath().normalize(), edgesPng.toAbsolutePath().normalize(),
                ResultTable.millis(System.nanoTime() - start), ResultTable.bytes(copied));
    }

    /** Asks each process worker (round robin: one call each) where it runs. */
    private static void describeWorkers(Pool pool, int workers) {
        List<TaskCall<WorkerInfo>> calls = IntStream.range(0, workers).mapToObj(i -> pool.call(TileTasks.WHERE, i))
                .toList();
        List<WorkerInfo> infos = calls.stream().map(CompletableFuture::join).toList();
        System.out.printf("process workers: pids %s, launcher %s, tasks from module %s%n",
                infos.stream().map(i -> String.valueOf(i.pid())).collect(Collectors.joining(", ")),
                infos.stream().map(WorkerInfo::launcher).distinct().collect(Collectors.joining(", ")),
                infos.stream().map(WorkerInfo::module).distinct().collect(Collectors.joining(", ")));
    }

    private static Pool processPool(int workers, long maxPayloadBytes) {
        return Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(workers).maxPayloadBytes(maxPayloadBytes)
                .start(TileTasks.class);
    }

    /** Rounds interleave the variants (A B C, A B C, ...) so drifting machine noise hits all alike. */
    private static void measure(DemoOptions o, Frame frame, MemorySegment reference, List<Measurements> results)
            throws Exception {
        MemorySegment target = frame.targetSegment();
        int total = o.warmup() + o.rounds();
        System.out.print("rounds:");
        for (int round = 0; round < total; round++) {
            boolean warm = round < o.warmup();
            System.out.print(warm ? " w" : " " + (round - o.warmup() + 1));
            System.out.flush();
            for (Measurements m : results) {
                target.fill((byte) 0);
                long start = System.nanoTime();
                Traffic traffic = m.variant.run(frame);
                long elapsed = System.nanoTime() - start;
                long at = reference.mismatch(target);
                if (at >= 0) {
                    long row = at / frame.rowBytes();
                    m.mismatch("row " + row + ", x " + (at % frame.rowBytes()) / EdgeKernel.CHANNELS
                            + " (round " + (round + 1) + ")");
                }
                if (!warm) {
                    m.add(elapsed, traffic);
                }
            }
        }
        System.out.println();
    }

    private static String sha256(MemorySegment bytes) throws NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(bytes.asByteBuffer());
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }
}
