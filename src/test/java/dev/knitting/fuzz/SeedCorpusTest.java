package dev.knitting.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.ProtocolException;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.lane.RingDescriptor;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.spawn.BootData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(RingDescriptor.regionBytes(MessageReceiverFuzzTest.CAPACITY),
                    RingDescriptor.REGION_ALIGNMENT);
            for (Path seed : seeds) {
                String name = seed.getFileName().toString();
                assertThat(delivered(region, Files.readAllBytes(seed))).as(name).isPositive();
            }
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
                assertThat(BootData.decode(encoded).taskNames()).as(name).isNotEmpty();
            }
        }
    }

    /** Replays a ring seed round by round as the target reads it, without peer writes; counts messages. */
    private static int delivered(MemorySegment region, byte[] input) {
        MpscRing.format(region, MessageReceiverFuzzTest.CAPACITY);
        MpscRing ring = MpscRing.attach(region, Waiter.platform());
        MessageReceiver receiver = new MessageReceiver(ring, MessageReceiverFuzzTest.MAX_PAYLOAD_BYTES);
        FuzzBytes in = new FuzzBytes(input);
        int[] count = {0};
        while (in.hasMore()) {
            int control = in.u8();
            long head = region.get(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET);
            long tail;
            if ((control & 0x80) != 0) {
                head = in.i64();
                tail = in.i64();
            } else {
                tail = head + in.u16();
            }
            region.set(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET, head);
            region.set(ValueLayout.JAVA_LONG, RingDescriptor.TAIL_POSITION_OFFSET, tail);
            byte[] records = in.bytes(in.u16());
            for (int i = 0; i < records.length; i++) {
                region.set(ValueLayout.JAVA_BYTE,
                        RingDescriptor.DATA_OFFSET + ((head + i) & (MessageReceiverFuzzTest.CAPACITY - 1)), records[i]);
            }
            receiver.poll((type, callId, code, abortSlot, payload) -> {
                count[0]++;
                int op = in.u8();
                if (op != 0) {
                    region.set(ValueLayout.JAVA_LONG, 8L * (op - 1), in.i64());
                }
            }, 1 + (control & 63));
        }
        return count[0];
    }

    private static List<Path> seeds(String dir) throws IOException, URISyntaxException {
        Path root = Path.of(SeedCorpusTest.class.getResource(dir).toURI());
        try (Stream<Path> files = Files.list(root)) {
            return files.sorted().toList();
        }
    }
}
