package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.knitting.internal.codec.CodecFixtures.Color;
import static dev.knitting.internal.codec.CodecFixtures.Holder;
import static dev.knitting.internal.codec.CodecFixtures.MAX;
import static dev.knitting.internal.codec.CodecFixtures.POLICY;
import static dev.knitting.internal.codec.CodecFixtures.Point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadEncoderTest {
    private final PayloadEncoder encoder = new PayloadEncoder(POLICY);

    /** A class that is not a payload type. */
    static final class Widget {
    }

    static Stream<Object> functions() {
        Function<Integer, Integer> lambda = x -> x + 1;
        Supplier<String> methodRef = "x"::toUpperCase;
        Runnable anonymous = new Runnable() {
            @Override
            public void run() {
            }
        };
        Callable<Integer> callable = () -> 1;
        IntSupplier primitive = () -> 2;
        return Stream.of(lambda, methodRef, anonymous, callable, primitive);
    }

    @ParameterizedTest
    @MethodSource("functions")
    void shouldRejectLambdasAndFunctionalObjects(Object function) {
        assertThatThrownBy(() -> encoder.encode(function, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining(function.getClass().getName())
                .hasMessageContaining("lambdas and functions cannot be payloads");
        assertThatThrownBy(() -> encoder.encode(List.of(1, new Holder(function)), MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("lambdas and functions cannot be payloads");
    }

    static Stream<Arguments> referenceArrays() {
        return Stream.of(new Object[] {1}, new String[0], new Integer[] {1, 2}, new int[][] {{1}}, new Point[0])
                .map(a -> Arguments.of((Object) a));
    }

    @ParameterizedTest
    @MethodSource("referenceArrays")
    void shouldRejectArraysOfReferences(Object array) {
        assertThatThrownBy(() -> encoder.encode(array, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining(array.getClass().getTypeName())
                .hasMessageContaining("arrays of references")
                .hasMessageContaining("use a List");
    }

    static Stream<Object> unsupported() {
        return Stream.of(new Object(), new Widget(), new StringBuilder("x"), new ArrayDeque<>(List.of(1)), new java.util.concurrent.atomic.AtomicInteger(),
                Optional.of(new Object()).stream());
    }

    @ParameterizedTest
    @MethodSource("unsupported")
    void shouldRejectOtherClassesNamingTheTypeAndWhatIsSupported(Object value) {
        assertThatThrownBy(() -> encoder.encode(value, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining(value.getClass().getName())
                .hasMessageContaining("not a supported type")
                .hasMessageContaining("Supported: null, Boolean")
                .hasMessageContaining("records and enums whose package is allowed")
                .hasMessageContaining("[" + CodecFixtures.PACKAGE + "]");
    }

    @Test
    void shouldRejectRecordsOutsideTheAllowedPackages() {
        PayloadEncoder strict = new PayloadEncoder(TypePolicy.of(null, Set.of("com.example.b", "com.example.a")));
        assertThatThrownBy(() -> strict.encode(List.of(new Point(1, 2)), MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("record " + Point.class.getName() + " is not allowed")
                .hasMessageContaining("'" + CodecFixtures.PACKAGE + "'")
                .hasMessageContaining("[com.example.a, com.example.b]");
    }

    @Test
    void shouldRejectEnumsOutsideTheAllowedPackagesButAllowJdkTimeEnums() {
        PayloadEncoder strict = new PayloadEncoder(TypePolicy.of(null, Set.of()));
        assertThatThrownBy(() -> strict.encode(Color.GREEN, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("enum " + Color.class.getName() + " is not allowed");
        assertThat(strict.encode(java.time.DayOfWeek.MONDAY, MAX)).isPositive();
        assertThat(strict.encode(java.util.concurrent.TimeUnit.SECONDS, MAX)).isPositive();
        assertThatThrownBy(() -> strict.encode(java.nio.file.StandardOpenOption.READ, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("enum java.nio.file.StandardOpenOption is not allowed");
    }

    @Test
    void shouldRejectCyclicLists() {
        List<Object> list = new ArrayList<>();
        list.add(1);
        list.add(list);
        assertThatThrownBy(() -> encoder.encode(list, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("java.util.ArrayList")
                .hasMessageContaining("cyclic graph");
    }

    @Test
    void shouldRejectCyclesThroughMapsAndRecords() {
        Map<String, Object> map = new HashMap<>();
        map.put("self", List.of(new Holder(Optional.of(map))));
        assertThatThrownBy(() -> encoder.encode(map, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("java.util.HashMap")
                .hasMessageContaining("cyclic graph");
    }

    @Test
    void shouldRejectNestingDeeperThanTheBound() {
        Object nested = 1;
        for (int i = 0; i <= Tags.MAX_DEPTH; i++) {
            nested = List.of(nested);
        }
        Object tooDeep = nested;
        assertThatThrownBy(() -> encoder.encode(tooDeep, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("nesting deeper than " + Tags.MAX_DEPTH + " levels");
    }

    @Test
    void shouldRejectPayloadsAboveTheLimitWithLimitAndActualSize() {
        assertThatThrownBy(() -> encoder.encode(new byte[1000], 100))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("[B")
                .hasMessageContaining("limit=100 bytes")
                .hasMessageContaining("actual=1005 bytes");
        assertThat(encoder.encode(new byte[95], 100)).isEqualTo(100);
        assertThatThrownBy(() -> encoder.encode(new byte[96], 100)).hasMessageContaining("actual=101 bytes");
    }

    @Test
    void shouldCountTheRealSizeOfHugePayloadsWithoutBufferingThem() {
        String latin1 = "x".repeat(20_000_000);
        String utf16 = "\u20ac".repeat(10_000_000);
        List<Object> value = List.of(latin1, utf16, new long[5_000_000]);
        long expected = 5 + (5 + 20_000_000L) + (5 + 20_000_000L) + (5 + 40_000_000L);
        assertThatThrownBy(() -> encoder.encode(value, 1 << 16))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining(value.getClass().getName())
                .hasMessageContaining("limit=65536 bytes")
                .hasMessageContaining("actual=" + expected + " bytes");
        assertThat(encoder.capacity()).isLessThanOrEqualTo(1 << 16);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 5})
    void zeroAndTinyLimitsAreHonoured(int limit) {
        if (limit >= 5) {
            assertThat(encoder.encode(7, limit)).isEqualTo(5);
        } else {
            assertThatThrownBy(() -> encoder.encode(7, limit))
                    .isInstanceOf(PayloadException.class)
                    .hasMessageContaining("limit=" + limit + " bytes, actual=5 bytes");
        }
    }

    @Test
    void encoderIsReusableAfterEveryKindOfFailure() {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        Object[] failures = {new Object(), cyclic, (Supplier<String>) () -> "x", new Object[0], new byte[1000],
            List.of(1, new Holder(new Widget()))};
        for (Object failure : failures) {
            assertThatThrownBy(() -> encoder.encode(failure, 500)).isInstanceOf(PayloadException.class);
            List<Object> ok = List.of(new Point(1, 2), Color.RED, "after " + failure.getClass().getSimpleName());
            int n = encoder.encode(ok, 500);
            MemorySegment bytes = encoder.encoded();
            assertThat(bytes.byteSize()).isEqualTo(n);
            assertThat(new PayloadDecoder(POLICY).decode(bytes)).isEqualTo(ok);
        }
    }

    @Test
    void encodedIsUnavailableAfterAFailedEncode() {
        encoder.encode(1, MAX);
        assertThatThrownBy(() -> encoder.encode(new Object(), MAX)).isInstanceOf(PayloadException.class);
        assertThatThrownBy(encoder::encoded).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void scratchBufferGrowsAndIsDroppedAfterAnEncodeAboveTheKeptSize() {
        String large = "x".repeat(9 << 20); // strings are written into the buffer, arrays are not
        encoder.encode(large, MAX);
        assertThat(encoder.capacity()).isGreaterThan(9 << 20);
        assertThat(encoder.encoded().byteSize()).isEqualTo((9 << 20) + 5);
        encoder.encode(42, MAX);
        assertThat(encoder.capacity()).isLessThanOrEqualTo(PayloadEncoder.SHRINK_ABOVE);
        assertThat(new PayloadDecoder(POLICY).decode(encoder.encoded())).isEqualTo(42);
    }

    @Test
    void scratchBufferOfAOneMebibytePayloadIsKeptForTheNextCall() {
        String large = "y".repeat(1 << 20);
        encoder.encode(large, MAX);
        int kept = encoder.capacity();
        encoder.encode(large, MAX);
        assertThat(encoder.capacity()).as("no new buffer for a payload of the same size").isEqualTo(kept);
    }

    @Test
    void largeArrayBodiesAreNotCopiedIntoTheScratchBuffer() {
        int initial = encoder.capacity();
        encoder.encode(List.of(new byte[64 << 20], new long[1 << 20], new byte[3]), 128L << 20);
        assertThat(encoder.capacity()).as("only tags and lengths were written").isEqualTo(initial);
        assertThat(encoder.message().byteSize()).isEqualTo(5 + (5 + (64 << 20)) + (5 + (8L << 20)) + (5 + 3));
    }

    @Test
    void theMessageCopiesAnyRangeOfTheSplicedPayloadAsEncodedWouldHoldIt() {
        byte[] bytes = new byte[EncodeBuffer.DEFER_BYTES + 13];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        int[] ints = new int[EncodeBuffer.DEFER_BYTES / 4 + 5];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = i * 0x01020304;
        }
        List<Object> value = List.of("head", bytes, 7, ints, java.nio.ByteBuffer.wrap(bytes, 3, bytes.length - 3), "tail");
        int n = encoder.encode(value, MAX);
        byte[] whole = encoder.encoded().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertThat(whole).hasSize(n);
        List<?> decoded = (List<?>) new PayloadDecoder(POLICY).decode(MemorySegment.ofArray(whole));
        assertThat(decoded).hasSize(6);
        assertThat(decoded.get(0)).isEqualTo("head");
        assertThat((byte[]) decoded.get(1)).isEqualTo(bytes);
        assertThat(decoded.get(2)).isEqualTo(7);
        assertThat((int[]) decoded.get(3)).isEqualTo(ints);
        assertThat(decoded.get(4)).isEqualTo(java.nio.ByteBuffer.wrap(bytes, 3, bytes.length - 3));
        assertThat(decoded.get(5)).isEqualTo("tail");
        var message = encoder.message();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 500; i++) {
            int from = random.nextInt(n + 1);
            int length = random.nextInt(n - from + 1);
            MemorySegment part = MemorySegment.ofArray(new byte[length + 2]);
            message.copyTo(from, part, 1, length);
            assertThat(part.asSlice(1, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                    .as("bytes [%d, %d)", from, from + length)
                    .isEqualTo(java.util.Arrays.copyOfRange(whole, from, from + length));
        }
        assertThatThrownBy(() -> message.copyTo(n - 1, MemorySegment.ofArray(new byte[4]), 0, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void nativeBodiesAreCopiedAtEncodeSoThatTheSendCannotFailHalfway() {
        int n = 4 * EncodeBuffer.DEFER_BYTES;
        // LIST(5) + ENVELOPE(1) INT(5) MEMORY_SEGMENT(5 + n) + ENVELOPE(1) INT(5) BYTE_BUFFER(6 + n)
        MemorySegment message = MemorySegment.ofArray(new byte[5 + 11 + n + 12 + n]);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment body = arena.allocate(n);
            body.fill((byte) 7);
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(n);
            assertThat(encoder.encode(List.of(new dev.knitting.Envelope<>(1, body),
                    new dev.knitting.Envelope<>(2, direct)), MAX)).isEqualTo((int) message.byteSize());
        }
        // The arena is closed: a deferred copy would throw now, possibly after earlier fragments were sent.
        encoder.message().copyTo(0, message, 0, message.byteSize());
        assertThat(message.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 5 + 11 + n - 1)).isEqualTo((byte) 7);
    }

    @Test
    void deferredBodiesCountTowardTheLimit() {
        byte[] body = new byte[EncodeBuffer.DEFER_BYTES * 2];
        long exact = 5 + 5L * 2 + 2L * body.length;
        assertThat(encoder.encode(List.of(body, body), exact)).isEqualTo((int) exact);
        assertThatThrownBy(() -> encoder.encode(List.of(body, body), exact - 1))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("limit=" + (exact - 1))
                .hasMessageContaining("actual=" + exact);
        assertThatThrownBy(() -> encoder.encode(List.of(body, "x".repeat(100), body), exact))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("actual=" + (exact + 105));
    }

    @Test
    void sentDropsTheReferencesToTheCallersArrays() {
        encoder.encode(new byte[EncodeBuffer.DEFER_BYTES], MAX);
        encoder.sent();
        assertThatThrownBy(encoder::message).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(encoder::encoded).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void recordAccessorFailuresNameTheRecordAndComponent() {
        record Exploding(int value) {
            @Override
            public int value() {
                throw new IllegalStateException("boom");
            }
        }
        assertThatThrownBy(() -> encoder.encode(new Exploding(1), MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining(Exploding.class.getName())
                .hasMessageContaining("'value'")
                .hasMessageContaining("boom");
        assertThat(encoder.encode(2, MAX)).isEqualTo(5);
    }

    @Test
    void collectionsThatLieAboutTheirSizeAreRejected() {
        List<Integer> liar = new java.util.AbstractList<>() {
            @Override
            public Integer get(int index) {
                return index;
            }

            @Override
            public int size() {
                return 3;
            }

            @Override
            public java.util.Iterator<Integer> iterator() {
                return List.of(1, 2).iterator();
            }
        };
        assertThatThrownBy(() -> encoder.encode(liar, MAX))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("size changed");
    }
}
