package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.knitting.internal.codec.CodecFixtures.Color;
import static dev.knitting.internal.codec.CodecFixtures.Holder;
import static dev.knitting.internal.codec.CodecFixtures.POLICY;
import static dev.knitting.internal.codec.CodecFixtures.Person;
import static dev.knitting.internal.codec.CodecFixtures.Point;
import static dev.knitting.internal.codec.CodecFixtures.Validated;
import static dev.knitting.internal.codec.CodecFixtures.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class PayloadDecoderTest {
    private final PayloadDecoder decoder = new PayloadDecoder(POLICY);

    private Object decode(byte[] bytes) {
        return decoder.decode(MemorySegment.ofArray(bytes));
    }

    @Test
    void aLargeByteArrayDecodesFromAHeapSliceAtAnyOffsetAndFromNativeMemoryAlike() {
        byte[] value = new byte[20_000];
        new Random(11).nextBytes(value);
        byte[] encoded = encode(List.of(value, bytes(1, 2, 3)));
        byte[] around = new byte[encoded.length + 13];
        System.arraycopy(encoded, 0, around, 7, encoded.length);

        Object fromSlice = decoder.decode(MemorySegment.ofArray(around).asSlice(7, encoded.length));
        Object fromNative;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment nativeCopy = arena.allocate(encoded.length);
            MemorySegment.copy(MemorySegment.ofArray(encoded), 0, nativeCopy, 0, encoded.length);
            fromNative = decoder.decode(nativeCopy);
        }

        assertThat(fromSlice).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(value, bytes(1, 2, 3));
        assertThat(fromNative).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(value, bytes(1, 2, 3));
    }

    @Test
    void aLargeByteArrayCountPastTheEndOfAHeapSliceIsRejectedEvenWhenTheBackingArrayHasTheBytes() {
        byte[] encoded = encode(new byte[10_000]);
        byte[] around = new byte[encoded.length + 100];
        System.arraycopy(encoded, 0, around, 0, encoded.length);

        assertThatThrownBy(() -> decoder.decode(MemorySegment.ofArray(around).asSlice(0, encoded.length - 1)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("bytes remain");
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("empty payload", bytes(), "truncated"),
                Arguments.of("unknown tag", bytes(0x7F), "unknown tag 0x7F"),
                Arguments.of("unknown tag 0xFF", bytes(0xFF), "unknown tag 0xFF"),
                Arguments.of("envelope without a body", bytes(Tags.ENVELOPE, Tags.NULL), "truncated"),
                Arguments.of("envelope with an int body", concat(bytes(Tags.ENVELOPE, Tags.NULL, Tags.INT), le32(1)),
                        "ENVELOPE body"),
                Arguments.of("memory segment outside an envelope", concat(bytes(Tags.MEMORY_SEGMENT), le32(0)),
                        "unknown tag MEMORY_SEGMENT"),
                Arguments.of("truncated shared buffer descriptor", bytes(Tags.SHARED_BUFFER, 1, 2), "truncated"),
                Arguments.of("truncated reference descriptor", bytes(Tags.BUFFER_REFERENCE, 1), "truncated"),
                Arguments.of("truncated int", bytes(Tags.INT, 1, 2), "truncated"),
                Arguments.of("truncated long", bytes(Tags.LONG, 1, 2, 3, 4, 5, 6, 7), "truncated"),
                Arguments.of("trailing garbage", bytes(Tags.INT, 1, 0, 0, 0, 0), "1 trailing bytes"),
                Arguments.of("two values", concat(bytes(Tags.NULL), bytes(Tags.NULL)), "trailing"),
                Arguments.of("latin1 string longer than the payload", concat(bytes(Tags.STRING_LATIN1), le32(10), bytes('a')),
                        "claims 10 elements"),
                Arguments.of("utf16 string with an odd byte count", concat(bytes(Tags.STRING_UTF16), le32(2), bytes('a', 0, 'b')),
                        "claims 2 elements of at least 2 bytes"),
                Arguments.of("list claiming 2^31 elements", concat(bytes(Tags.LIST), le32(Integer.MIN_VALUE)), "claims 2147483648"),
                Arguments.of("int array claiming 2^32-1 elements", concat(bytes(Tags.INT_ARRAY), le32(-1)), "claims 4294967295"),
                Arguments.of("map claiming more entries than bytes", concat(bytes(Tags.MAP), le32(3), bytes(0, 0, 0, 0)),
                        "claims 3"),
                Arguments.of("list of missing elements", concat(bytes(Tags.LIST), le32(2), bytes(Tags.NULL)), "claims 2"),
                Arguments.of("boolean array with 2", concat(bytes(Tags.BOOLEAN_ARRAY), le32(1), bytes(2)), "not 0 or 1"),
                Arguments.of("byte buffer with bad order", concat(bytes(Tags.BYTE_BUFFER, 7), le32(0)), "byte order 7"),
                Arguments.of("empty big integer", concat(bytes(Tags.BIG_INTEGER), le32(0)), "zero magnitude"),
                Arguments.of("optional of null", bytes(Tags.OPTIONAL, Tags.NULL), "OPTIONAL holds NULL"),
                Arguments.of("invalid date", concat(bytes(Tags.LOCAL_DATE), le32(2023), bytes(2, 30)), "invalid LOCAL_DATE"),
                Arguments.of("invalid nano", concat(bytes(Tags.INSTANT), new byte[8], le32(1_000_000_000)), "nano-of-second"),
                Arguments.of("unknown zone", concat(bytes(Tags.ZONE_ID, Tags.STRING_LATIN1), le32(3), "X/Y".getBytes(StandardCharsets.US_ASCII)),
                        "invalid ZONE_ID"),
                Arguments.of("zone id that is not a string", bytes(Tags.ZONE_ID, Tags.INT, 0, 0, 0, 0), "expected a string"),
                Arguments.of("type ref to an undefined type", concat(bytes(Tags.RECORD), le32(5)), "only 0 types are defined"),
                Arguments.of("negative type ref", concat(bytes(Tags.RECORD), le32(-1)), "type ref 4294967295"),
                Arguments.of("class name that is not a string", concat(bytes(Tags.RECORD), le32(0), bytes(Tags.INT)),
                        "expected a class name string"),
                Arguments.of("throwable ref without throwables", concat(bytes(Tags.THROWABLE_REF), le32(0)),
                        "only 0 throwables precede it"),
                Arguments.of("throwable with a string cause", concat(bytes(Tags.THROWABLE), latin1("java.lang.Error"), bytes(Tags.NULL),
                        le32(0), latin1("x")), "expected a throwable"),
                Arguments.of("throwable claiming many frames", concat(bytes(Tags.THROWABLE), latin1("java.lang.Error"), bytes(Tags.NULL),
                        le32(1000)), "claims 1000 elements"));
    }

    private static byte[] latin1(String s) {
        return concat(bytes(Tags.STRING_LATIN1), le32(s.length()), s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedBytesAreRejectedWithAProtocolException(String what, byte[] payload, String messagePart) {
        assertThatThrownBy(() -> decode(payload))
                .as(what + ": " + HexFormat.of().formatHex(payload))
                .isExactlyInstanceOf(ProtocolException.class)
                .hasMessageContaining(messagePart);
        assertThat(decode(encode(7))).as("decoder reusable").isEqualTo(7);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void hugeClaimedLengthsFailFastWithoutAllocating() {
        byte[][] claims = {
            concat(bytes(Tags.LIST), le32(Integer.MAX_VALUE)),
            concat(bytes(Tags.LONG_ARRAY), le32(Integer.MAX_VALUE)),
            concat(bytes(Tags.BYTE_ARRAY), le32(-2)),
            concat(bytes(Tags.STRING_UTF16), le32(0x4000_0000)),
            concat(bytes(Tags.SET), le32(Integer.MIN_VALUE)),
        };
        // Each claim, if believed, would allocate gigabytes (more than the test heap): an
        // OutOfMemoryError instead of a ProtocolException would fail this test.
        for (int round = 0; round < 1000; round++) {
            for (byte[] claim : claims) {
                assertThatThrownBy(() -> decode(claim)).isExactlyInstanceOf(ProtocolException.class);
            }
        }
    }

    @Test
    void aDepthBombIsRejectedWithoutStackOverflow() {
        byte[] bomb = new byte[500_000];
        for (int i = 0; i < bomb.length; i += 5) {
            bomb[i] = Tags.LIST;
            bomb[i + 1] = 1;
        }
        assertThatThrownBy(() -> decode(bomb))
                .isExactlyInstanceOf(ProtocolException.class)
                .hasMessageContaining("nesting deeper than " + Tags.MAX_DEPTH);
        byte[] optionals = new byte[100_000];
        java.util.Arrays.fill(optionals, Tags.OPTIONAL);
        assertThatThrownBy(() -> decode(optionals)).isExactlyInstanceOf(ProtocolException.class);
    }

    @Test
    void unknownEnumConstantNamesAreRejected() {
        byte[] red = encode(Color.RED);
        byte[] patched = replace(red, "RED", "XYZ");
        assertThatThrownBy(() -> decode(patched))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("enum " + Color.class.getName() + " has no constant 'XYZ'");
    }

    @Test
    void classNamesOutsideTheAllowListAreRejectedBeforeAnyClassIsLoaded() {
        List<String> requested = new ArrayList<>();
        ClassLoader spy = new ClassLoader(null) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                requested.add(name);
                return PayloadDecoderTest.class.getClassLoader().loadClass(name);
            }
        };
        PayloadDecoder strict = new PayloadDecoder(TypePolicy.of(spy, Set.of("com.example")));
        for (Object value : List.of(new Point(1, 2), Color.BLUE, List.of(new Holder(Optional.of(Color.RED))))) {
            byte[] payload = encode(value);
            assertThatThrownBy(() -> strict.decode(MemorySegment.ofArray(payload)))
                    .isExactlyInstanceOf(PayloadException.class)
                    .hasMessageContaining("is not allowed")
                    .hasMessageContaining("[com.example]");
        }
        byte[] renamed = replace(encode(new Point(1, 2)), CodecFixtures.PACKAGE, "com.example.xxxxxxxxxxxxxxxx".substring(0,
                CodecFixtures.PACKAGE.length()));
        assertThatThrownBy(() -> strict.decode(MemorySegment.ofArray(renamed))).isExactlyInstanceOf(PayloadException.class);
        assertThat(requested).as("class loader requests").isEmpty();

        PayloadDecoder allowing = new PayloadDecoder(TypePolicy.of(spy, Set.of(CodecFixtures.PACKAGE)));
        assertThat(allowing.decode(MemorySegment.ofArray(encode(new Point(3, 4))))).isEqualTo(new Point(3, 4));
        assertThat(requested).containsExactly(Point.class.getName());
    }

    @Test
    void namesOfNonRecordsOrMissingClassesInAllowedPackagesAreRejected() {
        byte[] point = encode(new Point(1, 2));
        byte[] notRecord = replace(point, "CodecFixtures$Point", "CodecFixtures$Color");
        assertThatThrownBy(() -> decode(notRecord)).isExactlyInstanceOf(ProtocolException.class).hasMessageContaining("not a record");
        byte[] missing = replace(point, "CodecFixtures$Point", "CodecFixtures$Nope_");
        assertThatThrownBy(() -> decode(missing)).isExactlyInstanceOf(PayloadException.class).hasMessageContaining("cannot load");
        byte[] wrongShape = replace(encode(new Holder(1)), "CodecFixtures$Holder", "CodecFixtures$Point_");
        assertThatThrownBy(() -> decode(wrongShape)).isInstanceOfAny(PayloadException.class, ProtocolException.class);
    }

    @Test
    void recordComponentCountMismatchIsRejected() {
        byte[] point = encode(new Point(1, 2));
        int at = indexOf(point, "Point".getBytes(StandardCharsets.ISO_8859_1)) + "Point".length();
        point[at] = 3;
        assertThatThrownBy(() -> decode(point))
                .isExactlyInstanceOf(ProtocolException.class)
                .hasMessageContaining("has 2 components here but the payload says 3");
    }

    @Test
    void recordConstructorFailuresArePayloadExceptionsNamingTheRecord() {
        byte[] valid = encode(new Validated(5));
        byte[] negative = replace(valid, new byte[] {Tags.INT, 5, 0, 0, 0}, new byte[] {Tags.INT, -1, -1, -1, -1});
        assertThatThrownBy(() -> decode(negative))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("record " + Validated.class.getName() + " rejected the decoded components")
                .hasMessageContaining("x must not be negative: -1");
    }

    @Test
    void recordComponentsOfTheWrongTypeAreRejectedBeforeTheConstructorRuns() {
        byte[] point = encode(new Point(1, 2));
        byte[] floatX = replace(point, new byte[] {Tags.INT, 1, 0, 0, 0}, new byte[] {Tags.FLOAT, 1, 0, 0, 0});
        assertThatThrownBy(() -> decode(floatX))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("component 'x' is java.lang.Integer but the payload holds java.lang.Float");
        byte[] nullX = replace(point, new byte[] {Tags.INT, 1, 0, 0, 0}, new byte[] {Tags.NULL});
        assertThatThrownBy(() -> decode(nullX))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("holds null");
    }

    /** Valid encodings of many shapes, the seed corpus for mutation. */
    private static List<byte[]> corpus() {
        List<byte[]> corpus = new ArrayList<>();
        RandomValues values = new RandomValues(7);
        for (int i = 0; i < 60; i++) {
            corpus.add(encode(values.value(3)));
        }
        IllegalStateException t = new IllegalStateException("boom", new java.io.IOException("io"));
        t.addSuppressed(new IllegalArgumentException("s"));
        corpus.add(encode(List.of(t, t)));
        corpus.add(encode(new dev.knitting.RemoteTaskException("com.x.Y", "m")));
        corpus.add(encode(List.of(new Person("p", 1, 2.0, true, 3L), new Person("q", 4, 5.0, false, 6L), Color.GREEN, Color.RED)));
        corpus.add(encode(Map.of("k", List.of(Optional.of(new Holder(new Point(1, 2)))))));
        corpus.add(encode(java.time.ZonedDateTime.parse("2024-03-31T02:30+02:00[Europe/Berlin]")));
        return corpus;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedAndTruncatedEncodingsOnlyEverYieldValuesOrCodecExceptions() {
        List<byte[]> corpus = corpus();
        Random random = new Random(0xF022);
        int protocol = 0;
        int payload = 0;
        int values = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] original = corpus.get(random.nextInt(corpus.size()));
            byte[] mutated = mutate(original, random);
            try {
                decode(mutated);
                values++;
            } catch (ProtocolException e) {
                protocol++;
            } catch (PayloadException e) {
                payload++;
            } catch (Throwable e) {
                fail("round " + round + " threw " + e + " for " + HexFormat.of().formatHex(mutated), e);
            }
        }
        assertThat(protocol).isPositive();
        assertThat(values).isPositive();
        assertThat(protocol + payload + values).isEqualTo(20_000);
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        switch (random.nextInt(6)) {
            case 0 -> {
                return java.util.Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 1 -> {
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt();
                }
            }
            case 2 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
            case 3 -> {
                if (b.length >= 5) {
                    int at = random.nextInt(b.length - 4);
                    int v = switch (random.nextInt(4)) {
                        case 0 -> -1;
                        case 1 -> Integer.MAX_VALUE;
                        case 2 -> random.nextInt(64);
                        default -> random.nextInt();
                    };
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
                }
            }
            case 4 -> {
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(8));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt();
                }
                return longer;
            }
            default -> {
                int at = random.nextInt(b.length);
                int len = Math.min(b.length - at, 1 + random.nextInt(8));
                byte[] shorter = new byte[b.length - len];
                System.arraycopy(b, 0, shorter, 0, at);
                System.arraycopy(b, at + len, shorter, at, b.length - at - len);
                return shorter;
            }
        }
        return b;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found: " + HexFormat.of().formatHex(needle));
    }

    private static byte[] replace(byte[] haystack, String from, String to) {
        return replace(haystack, from.getBytes(StandardCharsets.ISO_8859_1), to.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] replace(byte[] haystack, byte[] from, byte[] to) {
        int at = indexOf(haystack, from);
        return concat(java.util.Arrays.copyOf(haystack, at), to,
                java.util.Arrays.copyOfRange(haystack, at + from.length, haystack.length));
    }
}
