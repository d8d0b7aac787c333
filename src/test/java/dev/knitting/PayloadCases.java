package dev.knitting;

import dev.knitting.foreign.ForeignPoint;
import dev.knitting.testtasks.Color;
import dev.knitting.testtasks.Person;
import dev.knitting.testtasks.PlainBean;
import dev.knitting.testtasks.Point;
import dev.knitting.testtasks.Primitives;
import dev.knitting.testtasks.Unit;
import dev.knitting.testtasks.Wrapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Payload values for the round-trip and rejection tests: every supported type with its edge values. */
final class PayloadCases {
    private static final double PAYLOAD_NAN = Double.longBitsToDouble(0x7ff8_0000_0000_0123L);
    private static final float PAYLOAD_NAN_F = Float.intBitsToFloat(0x7fc0_0123);

    private PayloadCases() {
    }

    /** A record in this test's own package, which exports no task: not allowed by default. */
    record TestPackageRecord(int value) {
    }

    static Stream<Arguments> roundTrips() {
        return Stream.of(scalars(), numbers(), strings(), arrays(), collections(), others(), time(), records())
                .flatMap(s -> s);
    }

    private static Stream<Arguments> scalars() {
        return Stream.of(
                arguments("null", null),
                arguments("Boolean true", Boolean.TRUE),
                arguments("Boolean false", Boolean.FALSE),
                arguments("Byte min", Byte.MIN_VALUE),
                arguments("Byte max", Byte.MAX_VALUE),
                arguments("Short min", Short.MIN_VALUE),
                arguments("Short max", Short.MAX_VALUE),
                arguments("Character a", 'a'),
                arguments("Character NUL", '\u0000'),
                arguments("Character FFFF", '\uffff'),
                arguments("Character lone high surrogate", '\ud800'),
                arguments("Character lone low surrogate", '\udfff'),
                arguments("Integer min", Integer.MIN_VALUE),
                arguments("Integer max", Integer.MAX_VALUE),
                arguments("Integer zero", 0),
                arguments("Integer -1", -1),
                arguments("Long min", Long.MIN_VALUE),
                arguments("Long max", Long.MAX_VALUE),
                arguments("Long zero", 0L));
    }

    private static Stream<Arguments> numbers() {
        BigInteger huge = BigInteger.ONE.shiftLeft(100_000).subtract(BigInteger.ONE);
        return Stream.of(
                arguments("Float NaN", Float.NaN),
                arguments("Float NaN with payload bits", PAYLOAD_NAN_F),
                arguments("Float -0.0", -0.0f),
                arguments("Float +0.0", 0.0f),
                arguments("Float +inf", Float.POSITIVE_INFINITY),
                arguments("Float -inf", Float.NEGATIVE_INFINITY),
                arguments("Float min subnormal", Float.MIN_VALUE),
                arguments("Float min normal", Float.MIN_NORMAL),
                arguments("Float max", Float.MAX_VALUE),
                arguments("Double NaN", Double.NaN),
                arguments("Double NaN with payload bits", PAYLOAD_NAN),
                arguments("Double -0.0", -0.0d),
                arguments("Double +0.0", 0.0d),
                arguments("Double +inf", Double.POSITIVE_INFINITY),
                arguments("Double -inf", Double.NEGATIVE_INFINITY),
                arguments("Double min subnormal", Double.MIN_VALUE),
                arguments("Double subnormal 0x1p-1030", 0x1p-1030),
                arguments("Double max", Double.MAX_VALUE),
                arguments("Double 0.1", 0.1d),
                arguments("BigInteger zero", BigInteger.ZERO),
                arguments("BigInteger Long.MIN_VALUE - 1", BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE)),
                arguments("BigInteger 2^100000 - 1", huge),
                arguments("BigInteger -(2^100000 - 1)", huge.negate()),
                arguments("BigDecimal 1.2300 keeps scale", new BigDecimal("1.2300")),
                arguments("BigDecimal -0.000", new BigDecimal("-0.000")),
                arguments("BigDecimal huge unscaled, negative scale", new BigDecimal(huge, -50)),
                arguments("BigDecimal scale Integer.MAX_VALUE", new BigDecimal(BigInteger.TEN, Integer.MAX_VALUE)),
                arguments("BigDecimal scale Integer.MIN_VALUE", new BigDecimal(BigInteger.TEN, Integer.MIN_VALUE)));
    }

    private static Stream<Arguments> strings() {
        return Stream.of(
                arguments("String empty", ""),
                arguments("String ASCII", "hello, world"),
                arguments("String non-BMP", "emoji \ud83d\ude00 clef \ud834\udd1e"),
                arguments("String lone high surrogate", "a\ud800b"),
                arguments("String lone low surrogate at end", "low \udc00"),
                arguments("String reversed surrogate pair", "\udc00\ud800"),
                arguments("String with NUL", "a\u0000b"),
                arguments("String Latin-1 only", "caf\u00e9 \u00ff"),
                arguments("String 100k ASCII", "x".repeat(100_000)),
                arguments("String 1M mixed widths", "\u00e9\u20ac\ud83d\ude00".repeat(250_000)));
    }

    private static Stream<Arguments> arrays() {
        byte[] allBytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            allBytes[i] = (byte) i;
        }
        int[] million = IntStream.range(0, 1_000_000).map(i -> i * 31).toArray();
        return Stream.of(
                arguments("boolean[]", new boolean[] {true, false, true}),
                arguments("byte[] every value", allBytes),
                arguments("byte[] empty", new byte[0]),
                arguments("short[]", new short[] {Short.MIN_VALUE, 0, Short.MAX_VALUE}),
                arguments("char[] with lone surrogates", new char[] {'a', '\ud800', '\udfff', '\uffff'}),
                arguments("int[]", new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}),
                arguments("int[] million", million),
                arguments("long[]", new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}),
                arguments("float[] edge values",
                        new float[] {Float.NaN, PAYLOAD_NAN_F, -0.0f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY}),
                arguments("double[] edge values",
                        new double[] {Double.NaN, PAYLOAD_NAN, -0.0d, Double.MIN_VALUE, 0x1p-1030, Double.MAX_VALUE}),
                arguments("double[] empty", new double[0]),
                arguments("ByteBuffer heap", ByteBuffer.wrap(allBytes.clone())),
                arguments("ByteBuffer direct", ByteBuffer.allocateDirect(300).put(allBytes).put(new byte[44]).flip()),
                arguments("ByteBuffer empty", ByteBuffer.allocate(0)),
                arguments("ByteBuffer read-only", ByteBuffer.wrap(allBytes.clone()).asReadOnlyBuffer()));
    }

    private static Stream<Arguments> collections() {
        List<Object> withNulls = new ArrayList<>(Arrays.asList(null, 1, null, "x", null));
        Map<String, Object> mapWithNullValue = new HashMap<>();
        mapWithNullValue.put("a", null);
        mapWithNullValue.put("b", List.of(1L, 2L));
        Map<Object, Object> mapWithNullKey = new HashMap<>();
        mapWithNullKey.put(null, "null key");
        mapWithNullKey.put(1, "one");
        Map<Object, Object> mixedKeys = new LinkedHashMap<>();
        mixedKeys.put(1, "int");
        mixedKeys.put(1L, "long");
        mixedKeys.put((short) 1, "short");
        mixedKeys.put("1", "string");
        Object nested = "bottom";
        for (int i = 0; i < 30; i++) {
            nested = (i % 2 == 0) ? Arrays.asList(nested, null) : Collections.singletonMap("level" + i, nested);
        }
        return Stream.of(
                arguments("List empty", List.of()),
                arguments("List mixed scalars", List.of(1, "two", 3.0, 4L, 'c', (byte) 6)),
                arguments("List with nulls", withNulls),
                arguments("LinkedList", new LinkedList<>(List.of(1, 2, 3))),
                arguments("List 100k Integers", IntStream.range(0, 100_000).boxed().toList()),
                arguments("List of primitive arrays", List.of(new int[] {1, 2}, new double[] {-0.0})),
                arguments("List nested 30 deep (lists and maps)", nested),
                arguments("Set empty", Set.of()),
                arguments("Set of strings", Set.of("a", "b", "c")),
                arguments("Set with null", new HashSet<>(Arrays.asList(null, "x"))),
                arguments("TreeSet", new TreeSet<>(List.of(3, 1, 2))),
                arguments("EnumSet", EnumSet.of(Color.RED, Color.GREEN)),
                arguments("Set of records", Set.of(new Point(1, 2), new Point(3, 4))),
                arguments("Map empty", Map.of()),
                arguments("Map with null value", mapWithNullValue),
                arguments("Map with null key", mapWithNullKey),
                arguments("Map keys 1, 1L, (short) 1, \"1\"", mixedKeys),
                arguments("TreeMap", new TreeMap<>(Map.of("b", 2, "a", 1))),
                arguments("Map record keys", Map.of(new Point(0, 0), "origin", new Point(1, 1), "diagonal")),
                arguments("Map enum keys", Map.of(Color.GREEN, List.of(), Color.BLUE, Set.of(1))),
                arguments("Map of List of Map", Map.of("k", List.of(Map.of(1, "one"), Map.of()))));
    }

    private static Stream<Arguments> others() {
        return Stream.of(
                arguments("Optional empty", Optional.empty()),
                arguments("Optional of String", Optional.of("x")),
                arguments("Optional of List", Optional.of(List.of(1, 2))),
                arguments("Optional of record", Optional.of(new Point(5, 6))),
                arguments("UUID random", UUID.randomUUID()),
                arguments("UUID zero", new UUID(0, 0)),
                arguments("UUID all ones", new UUID(-1, -1)),
                arguments("enum", Color.RED),
                arguments("enum constant with body", Color.GREEN),
                arguments("List of enums", List.of(Color.BLUE, Color.GREEN, Color.RED)));
    }

    private static Stream<Arguments> time() {
        return Stream.of(
                arguments("Instant epoch", Instant.EPOCH),
                arguments("Instant min", Instant.MIN),
                arguments("Instant max", Instant.MAX),
                arguments("Instant with nanos", Instant.ofEpochSecond(1_700_000_000L, 123_456_789)),
                arguments("Instant before epoch with nanos", Instant.ofEpochSecond(-1, 1)),
                arguments("LocalDate min", LocalDate.MIN),
                arguments("LocalDate max", LocalDate.MAX),
                arguments("LocalDate leap day", LocalDate.of(2024, 2, 29)),
                arguments("LocalTime max", LocalTime.MAX),
                arguments("LocalTime midnight", LocalTime.MIDNIGHT),
                arguments("LocalDateTime", LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_999)),
                arguments("ZonedDateTime region zone", ZonedDateTime.of(2024, 10, 27, 2, 30, 0, 0, ZoneId.of("Europe/Paris"))),
                arguments("ZonedDateTime offset zone", ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 1, ZoneOffset.ofHours(-9))),
                arguments("OffsetDateTime", OffsetDateTime.of(2000, 1, 1, 12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 45))),
                arguments("OffsetTime", OffsetTime.of(1, 2, 3, 4, ZoneOffset.MIN)),
                arguments("Duration negative nanos", Duration.ofNanos(-1)),
                arguments("Duration max", Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)),
                arguments("Period", Period.of(-1, 13, 400)),
                arguments("Year", Year.of(-999)),
                arguments("YearMonth", YearMonth.of(2024, 2)),
                arguments("MonthDay", MonthDay.of(2, 29)),
                arguments("ZoneId region", ZoneId.of("America/New_York")),
                arguments("ZoneOffset", ZoneOffset.ofHoursMinutes(-9, -30)),
                arguments("DayOfWeek", DayOfWeek.FRIDAY),
                arguments("Month", Month.FEBRUARY));
    }

    private static Stream<Arguments> records() {
        Map<String, Double> scores = new HashMap<>();
        scores.put("nan", Double.NaN);
        scores.put("neg zero", -0.0);
        scores.put("none", null);
        return Stream.of(
                arguments("record", new Point(-1, Integer.MAX_VALUE)),
                arguments("record without components", new Unit()),
                arguments("record of primitives, edge values", new Primitives(true, Byte.MIN_VALUE, Short.MAX_VALUE,
                        '\ud800', Integer.MIN_VALUE, Long.MAX_VALUE, -0.0f, Double.MIN_VALUE)),
                arguments("record nesting everything", new Person("Ada", 36, List.of("math", "\ud83d\ude00"),
                        Color.GREEN, new Point(1, 2), scores, Optional.of("A"))),
                arguments("record with null components", new Person(null, 0, null, null, null, null, null)),
                arguments("record wrapping null", new Wrapper(null)),
                arguments("record wrapping a record", new Wrapper(new Wrapper(new Point(7, 8)))),
                arguments("record wrapping a map of optionals", new Wrapper(Map.of(Color.RED, Optional.of(Instant.EPOCH)))),
                arguments("List of records with nulls", Arrays.asList(new Point(1, 1), null, new Wrapper(List.of()))));
    }

    /** Arguments every pool must reject with a {@link PayloadException} naming the given text. */
    static Stream<Arguments> rejectedArguments() {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add("head");
        cyclic.add(cyclic);
        Map<String, Object> cyclicMap = new HashMap<>();
        cyclicMap.put("self", cyclicMap);
        List<Object> throughRecord = new ArrayList<>();
        throughRecord.add(new Wrapper(throughRecord));
        Object deep = "bottom";
        for (int i = 0; i < 100_000; i++) {
            deep = Collections.singletonList(deep);
        }
        Runnable lambda = () -> { };
        return Stream.of(
                arguments("a lambda", lambda, "lambda"),
                arguments("a lambda in a list", List.of(1, lambda), "lambda"),
                arguments("Object[]", new Object[] {1, 2}, "Object"),
                arguments("String[]", new String[] {"a"}, "String"),
                arguments("a class that is not a record", new PlainBean(1), "PlainBean"),
                arguments("a Number subclass of the JDK", new AtomicLong(5), "AtomicLong"),
                arguments("a Serializable JDK class", new java.util.Date(0), "Date"),
                arguments("plain Object", new Object(), "java.lang.Object"),
                arguments("a record of a package not allowed", new ForeignPoint(1, 2), "ForeignPoint"),
                arguments("a record of the test's package", new TestPackageRecord(3), "TestPackageRecord"),
                arguments("a disallowed class inside a record", new Wrapper(new PlainBean(2)), "PlainBean"),
                arguments("a disallowed class inside an Optional", Optional.of(new PlainBean(3)), "PlainBean"),
                arguments("a disallowed map key", Map.of(new PlainBean(4), 1), "PlainBean"),
                arguments("a cyclic list", cyclic, ""),
                arguments("a cyclic map", cyclicMap, ""),
                arguments("a cycle through a record", throughRecord, ""),
                arguments("lists nested 100000 deep", deep, ""));
    }

    /** A byte pattern that a lost or reordered fragment cannot reproduce. */
    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8 && i + k < length; k++) {
                bytes[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return bytes;
    }

    private static Arguments arguments(Object... values) {
        return Arguments.of(values);
    }
}
