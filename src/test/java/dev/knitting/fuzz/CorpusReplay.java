package dev.knitting.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs one fuzz target over every file of some corpus directories, without Jazzer: scripts/fuzz
 * runs it under the JaCoCo agent to measure the line and branch coverage a fuzzing run's corpus
 * reaches. Prints how many inputs ran and how many failed (a failing input is a finding: it is in
 * the findings directory too).
 *
 * <p>{@code CorpusReplay decoder|receiver|boot DIR...}
 */
public final class CorpusReplay {
    private CorpusReplay() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: CorpusReplay decoder|receiver|boot DIR...");
        }
        Consumer<byte[]> target = switch (args[0]) {
            case "decoder" -> new PayloadDecoderFuzzTest()::decodesAnyWorkerAnswer;
            case "receiver" -> new MessageReceiverFuzzTest()::pollsAnyRingImage;
            case "boot" -> new BootDataFuzzTest()::decodesAnyBootText;
            default -> throw new IllegalArgumentException("target=" + args[0] + " is not decoder, receiver or boot");
        };
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            try (Stream<Path> s = Files.walk(Path.of(args[i]))) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        int failed = 0;
        for (Path file : files) {
            try {
                target.accept(Files.readAllBytes(file));
            } catch (RuntimeException | Error e) {
                failed++;
            }
        }
        System.out.println("replayed " + files.size() + " inputs, " + failed + " failed");
    }
}
