package dev.knitting.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.ProtocolException;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.spawn.BootData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed seed corpora are what {@link SeedCorpus} says they are: valid inputs that reach the
 * end of each target's happy path (a decoded value, delivered messages, parsed boot data), except
 * the few seeds named here that stand for a rejection. A seed that silently stopped meaning anything
 * (after a format change) would make the regression runs pass without testing much.
 */
class SeedCorpusTest {
    /** Decoder seeds the host rightly refuses: a buffer descriptor of another process that is gone. */
    private static final Set<String> REFUSED_PAYLOADS = Set.of("shared-buffer");
    private static final Set<String> REFUSED_BOOTS = Set.of("raw-not-base64");
    /**
     * Ring seeds kept as regressions of a finding, not as happy paths: a first fragment announcing
     * 8 MiB and sending 8 bytes (the receiver once allocated the announced total at once), and two
     * first fragments with no payload bytes (the receiver once copied them into a buffer it had not
     * allocated: a NullPointerException instead of a ProtocolException).
     */
    private static final Set<String> FINDING_RINGS = Set.of("announced-total-8mib-first-fragment",
            "empty-first-fragment", "empty-first-fragment-short");

    @Test
    void everyPayloadSeedDecodesOnTheHostOfAProcessPool() throws Exception {
        TypePolicy policy = TypePolicy.of(getClass().getClassLoader(), PayloadDecoderFuzzTest.PACKAGES);
        List<Path> seeds = seeds("PayloadDecoderFuzzTestInputs/decodesAnyWorkerAnswer");
        assertThat(seeds).hasSizeGreaterThan(40);
        for (Path seed : seeds) {
            PayloadDecoder decoder = new PayloadDecoder(policy, Peer.otherProcess());
            MemorySegment payload = MemorySegment.ofArray(Files.readAllBytes(seed));
            String name = seed.getFileName().toString();
            if (REFUSED_PAYLOADS.contains(name)) {
                assertThatThrownBy(() -> decoder.decode(payload)).as(name).isInstanceOf(ProtocolException.class);
            } else {
                Object value = decoder.decode(payload);
                assertThat(value == null).as(name + " decodes to null only when it is the null seed")
                        .isEqualTo(name.equals("null"));
            }
        }
    }

    @Test
    void everyRingSeedDeliversItsMessagesWithoutARejection() throws Exception {
        List<Path> seeds = seeds("MessageReceiverFuzzTestInputs/pollsAnyRingImage");
        assertThat(seeds).hasSizeGreaterThanOrEqualTo(5);
        for (Path seed : seeds) {
            MessageReceiverFuzzTest.Outcome outcome = MessageReceiverFuzzTest.replay(Files.readAllBytes(seed));
            if (FINDING_RINGS.contains(seed.getFileName().toString())) {
                continue; // its check is the fuzz target's own allocation budget
            }
            assertThat(outcome.delivered()).as(seed.getFileName() + " delivers messages").isPositive();
            assertThat(outcome.rejected()).as(seed.getFileName() + " is never rejected").isZero();
        }
    }

    @Test
    void everyBootSeedParses() throws Exception {
        for (Path seed : seeds("BootDataFuzzTestInputs/decodesAnyBootText")) {
            byte[] input = Files.readAllBytes(seed);
            String name = seed.getFileName().toString();
            String encoded = input[0] == '!'
                    ? new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1)
                    : Base64.getUrlEncoder().withoutPadding().encodeToString(input);
            if (REFUSED_BOOTS.contains(name)) {
                assertThatThrownBy(() -> BootData.decode(encoded)).as(name).isInstanceOf(ProtocolException.class);
            } else {
                assertThat(BootData.decode(encoded).spec().taskNames()).as(name).isNotEmpty();
            }
        }
    }

    private static List<Path> seeds(String dir) throws IOException, URISyntaxException {
        Path root = Path.of(SeedCorpusTest.class.getResource(dir).toURI());
        try (Stream<Path> files = Files.list(root)) {
            return files.sorted().toList();
        }
    }
}
