package dev.knitting.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static dev.knitting.internal.codec.CodecFixtures.Color;
import static dev.knitting.internal.codec.CodecFixtures.Holder;
import static dev.knitting.internal.codec.CodecFixtures.Person;
import static dev.knitting.internal.codec.CodecFixtures.Point;

/** Generates nested payload values from a seeded {@link Random}. */
final class RandomValues {
    private static final String[] ZONES = {"Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Z", "+05:30"};
    private final Random random;

    RandomValues(long seed) {
        this.random = new Random(seed);
    }

    Object value(int depth) {
        int kinds = depth <= 0 ? 20 : 27;
        return switch (random.nextInt(kinds)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> (byte) random.nextInt();
            case 3 -> (short) random.nextInt();
            case 4 -> (char) random.nextInt(0x10000);
            case 5 -> random.nextInt(3) == 0 ? random.nextInt(256) - 128 : random.nextInt();
            case 6 -> random.nextLong();
            case 7 -> Float.intBitsToFloat(random.nextInt());
            case 8 -> Double.longBitsToDouble(random.nextLong());
            case 9 -> new BigInteger(random.nextInt(300), random).multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
            case 10 -> new BigDecimal(new BigInteger(random.nextInt(200), random), random.nextInt(100) - 50);
            case 11, 12 -> string();
            case 13 -> primitiveArray();
            case 14 -> {
                byte[] b = new byte[random.nextInt(20)];
                random.nextBytes(b);
                yield ByteBuffer.wrap(b).order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            }
            case 15 -> new UUID(random.nextLong(), random.nextLong());
            case 16 -> Color.values()[random.nextInt(3)];
            case 17 -> time();
            case 18 -> new Point(random.nextInt(), random.nextInt());
            case 19 -> new Person(string(), random.nextInt(), random.nextDouble(), random.nextBoolean(), random.nextLong());
            case 20, 21 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(6); i > 0; i--) {
                    list.add(value(depth - 1));
                }
                yield list;
            }
            case 22 -> {
                Set<Object> set = new LinkedHashSet<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    set.add(value(depth - 1));
                }
                yield set;
            }
            case 23, 24 -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    map.put(random.nextBoolean() ? string() : value(0), value(depth - 1));
                }
                yield map;
            }
            case 25 -> random.nextInt(4) == 0 ? Optional.empty() : Optional.ofNullable(value(depth - 1)).or(() -> Optional.of(1));
            default -> new Holder(value(depth - 1));
        };
    }

    String string() {
        int n = random.nextInt(4) == 0 ? random.nextInt(3000) : random.nextInt(12);
        StringBuilder sb = new StringBuilder(n);
        int range = switch (random.nextInt(3)) {
            case 0 -> 0x80;
            case 1 -> 0x100;
            default -> 0x10000;
        };
        for (int i = 0; i < n; i++) {
            sb.append((char) random.nextInt(range));
        }
        return sb.toString();
    }

    private Object primitiveArray() {
        int n = random.nextInt(10);
        return switch (random.nextInt(8)) {
            case 0 -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = random.nextBoolean();
                }
                yield a;
            }
            case 1 -> {
                byte[] a = new byte[n];
                random.nextBytes(a);
                yield a;
            }
            case 2 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (short) random.nextInt();
                }
                yield a;
            }
            case 3 -> {
                char[] a = new char[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (char) random.nextInt();
                }
                yield a;
            }
            case 4 -> random.ints(n).toArray();
            case 5 -> random.longs(n).toArray();
            case 6 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Float.intBitsToFloat(random.nextInt());
                }
                yield a;
            }
            default -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Double.longBitsToDouble(random.nextLong());
                }
                yield a;
            }
        };
    }

    private Object time() {
        LocalDateTime ldt = LocalDateTime.of(LocalDate.ofEpochDay(random.nextInt(200_000) - 100_000),
                LocalTime.ofNanoOfDay(Math.floorMod(random.nextLong(), 86_400_000_000_000L)));
        return switch (random.nextInt(6)) {
            case 0 -> Instant.ofEpochSecond(random.nextInt(), random.nextInt(1_000_000_000));
            case 1 -> Duration.ofSeconds(random.nextLong(), random.nextInt(1_000_000_000));
            case 2 -> ldt;
            case 3 -> ZonedDateTime.of(ldt, ZoneId.of(ZONES[random.nextInt(ZONES.length)]));
            case 4 -> ZoneOffset.ofTotalSeconds(random.nextInt(18 * 3600 * 2 + 1) - 18 * 3600);
            default -> ldt.toLocalDate();
        };
    }
}
