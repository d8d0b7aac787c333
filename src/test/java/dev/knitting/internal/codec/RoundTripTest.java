package dev.knitting.internal.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.knitting.internal.codec.CodecFixtures.AllPrimitives;
import static dev.knitting.internal.codec.CodecFixtures.Color;
import static dev.knitting.internal.codec.CodecFixtures.Holder;
import static dev.knitting.internal.codec.CodecFixtures.Outer;
import static dev.knitting.internal.codec.CodecFixtures.Person;
import static dev.knitting.internal.codec.CodecFixtures.Point;
import static dev.knitting.internal.codec.CodecFixtures.canonical;
import static dev.knitting.internal.codec.CodecFixtures.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {

    static Stream<Object> scalars() {
        return Stream.of(
                null, true, false,
                (byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE,
                (short) 0, Short.MIN_VALUE, Short.MAX_VALUE,
                'a', Character.MIN_VALUE, Character.MAX_VALUE, '\uD800', '\uDFFF',
                0, -1, 127, 128, Integer.MIN_VALUE, Integer.MAX_VALUE,
                0L, Long.MIN_VALUE, Long.MAX_VALUE,
                0.0f, -0.0f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc0_1234),
                Float.intBitsToFloat(0xff80_0001),
                0.0, -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.longBitsToDouble(0x7ff8_0000_dead_beefL), Double.longBitsToDouble(0xfff0_0000_0000_0001L),
                Double.longBitsToDouble(1L), 4.9e-320);
    }

    @ParameterizedTest
    @MethodSource("scalars")
    void scalarsRoundTripBitExact(Object value) {
        Object decoded = roundTrip(value);
        assertThat(canonical(decoded)).isEqualTo(canonical(value));
        if (value != null) {
            assertThat(decoded).isInstanceOf(value.getClass());
        }
    }

    static Stream<Object> bigNumbers() {
        BigInteger two200 = BigInteger.TWO.pow(200);
        return Stream.of(
                BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate(), two200, two200.negate(),
                two200.subtract(BigInteger.ONE), BigInteger.valueOf(Long.MIN_VALUE), BigInteger.TEN.pow(5000).negate(),
                BigDecimal.ZERO, new BigDecimal("-0.000"), new BigDecimal("1E+50"), new BigDecimal("-12345.6789"),
                new BigDecimal(two200, -17), new BigDecimal(two200.negate(), 300), BigDecimal.valueOf(5, Integer.MIN_VALUE),
                BigDecimal.valueOf(Long.MAX_VALUE, Integer.MAX_VALUE));
    }

    @ParameterizedTest
    @MethodSource("bigNumbers")
    void bigNumbersRoundTripWithScale(Object value) {
        Object decoded = roundTrip(value);
        assertThat(decoded).isEqualTo(value);
        if (value instanceof BigDecimal d) {
            assertThat(((BigDecimal) decoded).scale()).isEqualTo(d.scale());
        }
    }

    static Stream<String> strings() {
        return Stream.of("", "a", "héllo wörld ÿ", "\u0000\u00ff", "日本語テキスト", "emoji \uD83D\uDE00 non-BMP \uD834\uDD1E",
                "lone high \uD800 end", "\uDC00 lone low first", "\uDFFF\uD800 reversed pair", "x".repeat(1024),
                "é".repeat(20_000), "ab\u0100".repeat(5_000), "a".repeat(9_000) + "\u20ac", "\u20ac" + "b".repeat(17_000));
    }

    @ParameterizedTest
    @MethodSource("strings")
    void stringsRoundTripExactlyIncludingLoneSurrogates(String value) {
        assertThat(roundTrip(value)).isEqualTo(value);
    }

    @Test
    void latin1StringsTakeOneBytePerCharAndOthersTwo() {
        assertThat(CodecFixtures.encode("é".repeat(100))).hasSize(5 + 100);
        assertThat(CodecFixtures.encode("\u0100".repeat(100))).hasSize(5 + 200);
        assertThat(CodecFixtures.encode("a".repeat(20_000) + "\u0100")).hasSize(5 + 2 * 20_001);
    }

    static Stream<Object> arrays() {
        return Stream.of(
                new boolean[0], new boolean[] {true, false, true},
                new byte[0], new byte[] {Byte.MIN_VALUE, 0, Byte.MAX_VALUE},
                new short[0], new short[] {Short.MIN_VALUE, -1, Short.MAX_VALUE},
                new char[0], new char[] {'a', '\uD800', Character.MAX_VALUE},
                new int[0], new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE},
                new long[0], new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE},
                new float[0], new float[] {-0.0f, Float.NaN, Float.intBitsToFloat(0x7fc0_1234), Float.MIN_VALUE},
                new double[0], new double[] {-0.0, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), Double.MIN_VALUE},
                new byte[100_000]);
    }

    @ParameterizedTest
    @MethodSource("arrays")
    void primitiveArraysRoundTripBitExact(Object value) {
        Object decoded = roundTrip(value);
        assertThat(decoded.getClass()).isEqualTo(value.getClass());
        assertThat(canonical(decoded)).isEqualTo(canonical(value));
    }

    static Stream<ByteBuffer> buffers() {
        ByteBuffer sliced = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6});
        sliced.position(2).limit(5);
        ByteBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        direct.putLong(0x0102030405060708L).flip();
        return Stream.of(ByteBuffer.allocate(0), sliced, direct, ByteBuffer.wrap(new byte[] {9, 8}).asReadOnlyBuffer());
    }

    @ParameterizedTest
    @MethodSource("buffers")
    void byteBuffersCarryTheirRemainingBytesAndOrderAsHeapBuffers(ByteBuffer value) {
        int position = value.position();
        ByteBuffer decoded = (ByteBuffer) roundTrip(value);
        assertThat(decoded.hasArray()).isTrue();
        assertThat(decoded.isDirect()).isFalse();
        assertThat(decoded.order()).isEqualTo(value.order());
        assertThat(decoded).isEqualTo(value);
        assertThat(value.position()).as("the source buffer is not consumed").isEqualTo(position);
    }

    static Stream<Object> collections() {
        List<Object> withNulls = new ArrayList<>(Arrays.asList(1, null, "two", null));
        Map<Object, Object> nullMap = new LinkedHashMap<>();
        nullMap.put(null, "null key");
        nullMap.put("null value", null);
        nullMap.put(List.of(1, 2), Map.of("k", Set.of()));
        Set<Object> nullSet = new LinkedHashSet<>(Arrays.asList("b", null, "a"));
        return Stream.of(List.of(), Set.of(), Map.of(), withNulls, nullMap, nullSet,
                List.of(List.of(List.of()), List.of(withNulls, nullSet), nullMap),
                new TreeMap<>(Map.of("z", 1, "a", 2)), new TreeSet<>(Set.of(3, 1, 2)), new HashMap<>(Map.of(1, 2)),
                Optional.empty(), Optional.of("x"), Optional.of(Optional.of(List.of(Optional.empty()))),
                List.of(new int[] {1}, new byte[] {2}, "s"));
    }

    @ParameterizedTest
    @MethodSource("collections")
    void collectionsRoundTripInOrderWithNulls(Object value) {
        Object decoded = roundTrip(value);
        assertThat(canonical(decoded)).isEqualTo(canonical(value));
    }

    @Test
    void collectionsDecodeAsMutableInsertionOrderedTypes() {
        Object decoded = roundTrip(List.of(List.of(1), Set.of(2), Map.of(3, 4)));
        assertThat(decoded).isExactlyInstanceOf(ArrayList.class);
        List<?> list = (List<?>) decoded;
        assertThat(list.get(0)).isExactlyInstanceOf(ArrayList.class);
        assertThat(list.get(1)).isExactlyInstanceOf(LinkedHashSet.class);
        assertThat(list.get(2)).isExactlyInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        List<Object> mutable = (List<Object>) decoded;
        mutable.add("more");
        assertThat(mutable).hasSize(4);
    }

    @Test
    void sharedSubObjectsThatAreNotCyclesAreFine() {
        List<Object> shared = new ArrayList<>(List.of(1, 2));
        Object decoded = roundTrip(List.of(shared, shared, Map.of("a", shared)));
        assertThat(canonical(decoded)).isEqualTo(canonical(List.of(shared, shared, Map.of("a", shared))));
    }

    static Stream<Object> timeValues() {
        LocalDateTime ldt = LocalDateTime.of(2024, 3, 31, 2, 30, 15, 123_456_789);
        return Stream.of(Instant.EPOCH, Instant.MIN, Instant.MAX, Instant.ofEpochSecond(-1, 999_999_999),
                Duration.ZERO, Duration.ofSeconds(Long.MIN_VALUE), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                Duration.ofNanos(-1), Period.ZERO, Period.of(Integer.MIN_VALUE, -5, Integer.MAX_VALUE),
                LocalDate.MIN, LocalDate.MAX, LocalDate.of(2024, 2, 29), LocalTime.MIN, LocalTime.MAX, LocalTime.NOON,
                LocalDateTime.MIN, LocalDateTime.MAX, ldt,
                OffsetDateTime.MIN, OffsetDateTime.MAX, OffsetDateTime.of(ldt, ZoneOffset.ofHoursMinutes(-9, -30)),
                OffsetTime.MIN, OffsetTime.MAX, OffsetTime.of(LocalTime.NOON, ZoneOffset.ofHoursMinutesSeconds(5, 45, 7)),
                ZonedDateTime.of(ldt, ZoneId.of("Europe/Berlin")),
                ZonedDateTime.of(LocalDateTime.of(2024, 10, 27, 2, 30), ZoneId.of("Europe/Berlin")).withLaterOffsetAtOverlap(),
                ZonedDateTime.of(LocalDateTime.of(2024, 10, 27, 2, 30), ZoneId.of("Europe/Berlin")).withEarlierOffsetAtOverlap(),
                ZonedDateTime.of(ldt, ZoneOffset.UTC), ZonedDateTime.of(ldt, ZoneId.of("UTC")),
                ZonedDateTime.of(ldt, ZoneId.of("GMT+03:30")),
                ZoneId.of("America/New_York"), ZoneId.of("UTC"), ZoneId.of("UTC+01:00"), ZoneOffset.UTC, ZoneOffset.MIN,
                ZoneOffset.MAX, Year.of(Year.MIN_VALUE), Year.of(2024), YearMonth.of(-5, 12), MonthDay.of(2, 29),
                DayOfWeek.SUNDAY, Month.FEBRUARY, ChronoUnit.MILLENNIA, TimeUnit.NANOSECONDS);
    }

    @ParameterizedTest
    @MethodSource("timeValues")
    void javaTimeValuesRoundTrip(Object value) {
        Object decoded = roundTrip(value);
        assertThat(decoded).isEqualTo(value);
        assertThat(decoded.getClass()).isEqualTo(value.getClass());
    }

    @ParameterizedTest
    @MethodSource("timeValues")
    void javaTimeValuesRoundTripNestedInLists(Object value) {
        assertThat(roundTrip(List.of(value, List.of(value)))).isEqualTo(List.of(value, List.of(value)));
    }

    @Test
    void uuidsRoundTrip() {
        UUID u = new UUID(0x0123456789abcdefL, 0xfedcba9876543210L);
        assertThat(roundTrip(u)).isEqualTo(u);
        assertThat(roundTrip(List.of(u, new UUID(0, 0)))).isEqualTo(List.of(u, new UUID(0, 0)));
    }

    @Test
    void enumsRoundTripByNameIncludingConstantsWithBodies() {
        assertThat(roundTrip(Color.RED)).isSameAs(Color.RED);
        assertThat(roundTrip(Color.GREEN)).isSameAs(Color.GREEN);
        assertThat(roundTrip(List.of(Color.BLUE, Color.GREEN, Color.BLUE)))
                .isEqualTo(List.of(Color.BLUE, Color.GREEN, Color.BLUE));
    }

    @Test
    void recordsRoundTripIncludingNestedRecordsListsEnumsAndOptionals() {
        Outer outer = new Outer(new Point(1, -2), List.of(new Point(3, 4), new Point(5, 6)),
                new LinkedHashMap<>(Map.of("c", Color.GREEN)), Optional.empty(),
                new Holder(new Holder(List.of(new Person("ann", 33, 1.5, true, 7L)))));
        assertThat(roundTrip(outer)).isEqualTo(outer);
        Outer withNote = new Outer(null, List.of(), Map.of(), Optional.of("note"), new Holder(null));
        assertThat(canonical(roundTrip(withNote))).isEqualTo(canonical(withNote));
    }

    @Test
    void recordsWithEveryPrimitiveComponentRoundTripBitExact() {
        AllPrimitives min = new AllPrimitives(Byte.MIN_VALUE, Short.MIN_VALUE, '\uD800', Integer.MIN_VALUE, Long.MIN_VALUE,
                Float.intBitsToFloat(0x7fc0_1234), -0.0, false);
        AllPrimitives max = new AllPrimitives(Byte.MAX_VALUE, Short.MAX_VALUE, Character.MAX_VALUE, Integer.MAX_VALUE,
                Long.MAX_VALUE, Float.MAX_VALUE, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), true);
        assertThat(canonical(roundTrip(min))).isEqualTo(canonical(min));
        assertThat(canonical(roundTrip(max))).isEqualTo(canonical(max));
    }

    @Test
    void manyRecordsOfOneTypeShareOneTypeDefinition() {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            points.add(new Point(i, -i));
        }
        byte[] one = CodecFixtures.encode(List.of(new Point(0, 0)));
        byte[] hundred = CodecFixtures.encode(points);
        int perRecord = 1 + 4 + 5 + 5;
        assertThat(hundred.length - one.length).isEqualTo(99 * perRecord);
        assertThat(roundTrip(points)).isEqualTo(points);
    }

    @Test
    void nestingUpToTheBoundRoundTrips() {
        Object nested = "leaf";
        for (int i = 0; i < Tags.MAX_DEPTH; i++) {
            nested = List.of(nested);
        }
        assertThat(roundTrip(nested)).isEqualTo(nested);
    }

    @Test
    void encodedBytesAreLittleEndian() {
        assertThat(CodecFixtures.encode(0x01020304)).containsExactly(Tags.INT, 4, 3, 2, 1);
        assertThat(CodecFixtures.encode("ab")).containsExactly(Tags.STRING_LATIN1, 2, 0, 0, 0, 'a', 'b');
        assertThat(CodecFixtures.encode("\u0100")).containsExactly(Tags.STRING_UTF16, 1, 0, 0, 0, 0, 1);
    }
}
