package dev.knitting.fuzz;

import dev.knitting.Envelope;
import dev.knitting.IdlePolicy;
import dev.knitting.SharedMemoryMode;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MessageSender;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.lane.RingDescriptor;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.spawn.BootData;
import dev.knitting.internal.worker.WorkerSpec;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.testtasks.Color;
import dev.knitting.testtasks.Person;
import dev.knitting.testtasks.Point;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Writes the seed corpora of the three fuzz targets: valid inputs made by the real encoders (the
 * payload encoder as a process worker runs it, a message sender on a real ring, boot data's own
 * {@code encode}), one or a few per kind, so that regression runs cover every kind and fuzzing
 * starts from well-formed inputs. Minimized crashers are added by hand beside them.
 *
 * <p>Run from the project root after {@code mvn test-compile} (scripts/fuzz --seeds does it):
 * {@code java --enable-native-access=ALL-UNNAMED -cp target/test-classes:target/classes:... dev.knitting.fuzz.SeedCorpus src/test/resources}
 */
public final class SeedCorpus {
    private static final String DIR = "dev/knitting/fuzz/";

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path resources = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        write(resources.resolve(DIR + "PayloadDecoderFuzzTestInputs/decodesAnyWorkerAnswer"), payloads());
        write(resources.resolve(DIR + "MessageReceiverFuzzTestInputs/pollsAnyRingImage"), rings());
        write(resources.resolve(DIR + "BootDataFuzzTestInputs/decodesAnyBootText"), boots());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
        System.out.println(dir + ": " + seeds.size() + " seeds");
    }

    // ---------------------------------------------------------------- payloads

    private static Map<String, byte[]> payloads() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("null", null);
        values.put("boolean", true);
        values.put("byte", (byte) -7);
        values.put("short", (short) 300);
        values.put("char", '\u00e9');
        values.put("int", 42);
        values.put("long", Long.MIN_VALUE);
        values.put("float", Float.NaN);
        values.put("double", -0.0d);
        values.put("string-latin1", "caf\u00e9");
        values.put("string-utf16", "\u00e9t\u00e9 \u2603");
        values.put("big-integer", BigInteger.ONE.shiftLeft(70).negate());
        values.put("big-decimal", new BigDecimal("-12.3400"));
        values.put("boolean-array", new boolean[] {true, false});
        values.put("byte-array", new byte[] {1, 2, 3});
        values.put("short-array", new short[] {-1, 2});
        values.put("char-array", new char[] {'a', '\ud800'});
        values.put("int-array", new int[] {1, -1});
        values.put("long-array", new long[] {7});
        values.put("float-array", new float[] {1.5f});
        values.put("double-array", new double[] {Double.MAX_VALUE});
        values.put("byte-buffer", ByteBuffer.wrap(new byte[] {9, 8}).order(ByteOrder.LITTLE_ENDIAN));
        values.put("list", new ArrayList<>(List.of(1, "two", 3.0)));
        values.put("set", new LinkedHashSet<>(List.of("a", "b")));
        values.put("map", new LinkedHashMap<>(Map.of("k", List.of(1L))));
        values.put("optional-empty", Optional.empty());
        values.put("optional", Optional.of("x"));
        values.put("uuid", new UUID(1, 2));
        values.put("instant", Instant.ofEpochSecond(1_700_000_000L, 5));
        values.put("duration", Duration.ofSeconds(-3, 7));
        values.put("period", Period.of(1, 2, 3));
        values.put("local-date", LocalDate.of(2024, 2, 29));
        values.put("local-time", LocalTime.of(23, 59, 59, 999));
        values.put("local-date-time", LocalDateTime.of(2020, 1, 1, 0, 0));
        values.put("offset-date-time", OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(-5)));
        values.put("offset-time", OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)));
        values.put("zoned-date-time", ZonedDateTime.of(2021, 3, 28, 2, 30, 0, 0, ZoneId.of("Europe/Paris")));
        values.put("zone-id", ZoneId.of("UTC"));
        values.put("zone-offset", ZoneOffset.ofHours(14));
        values.put("year", Year.of(-5));
        values.put("year-month", YearMonth.of(1999, 12));
        values.put("month-day", MonthDay.of(2, 29));
        values.put("enum-jdk", List.of(DayOfWeek.FRIDAY, TimeUnit.SECONDS));
        values.put("enum-with-body", FuzzTypes.Shade.DARK);
        values.put("record-nested", new FuzzTypes.Node("a", new FuzzTypes.Node("b", new FuzzTypes.Node("c", null))));
        values.put("record-validated", List.of(new FuzzTypes.Span(1, 5), new FuzzTypes.Span(2, 2)));
        values.put("record-primitives", new FuzzTypes.Mixed((byte) 1, (short) 2, 'c', 4, 5L, 6f, 7d, true, "any"));
        values.put("record-containers", new FuzzTypes.Bag(List.of(1), Map.of("i", new FuzzTypes.Empty()),
                Set.of(Color.RED), Optional.of(FuzzTypes.Shade.LIGHT)));
        values.put("record-testtasks", new Person("ada", 36, List.of("x"), Color.GREEN, new Point(1, 2),
                Map.of("m", 1.0), Optional.empty()));
        IllegalStateException failure = new IllegalStateException("outer", new IllegalArgumentException("inner"));
        failure.addSuppressed(new UnsupportedOperationException("suppressed"));
        failure.setStackTrace(new StackTraceElement[] {new StackTraceElement("app", "m", "1", "C", "run", "C.java", 7)});
        values.put("throwable", failure);
        values.put("throwable-remote", new dev.knitting.RemoteTaskException("com.example.Oops", "no such type here"));
        values.put("envelope-bytes", new Envelope<>("h", new byte[] {1, 2}));
        values.put("envelope-segment", new Envelope<>(7, MemorySegment.ofArray(new byte[] {3, 4, 5})));

        TypePolicy policy = TypePolicy.of(SeedCorpus.class.getClassLoader(), PayloadDecoderFuzzTest.PACKAGES);
        PayloadEncoder encoder = new PayloadEncoder(policy, Peer.processHost());
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        values.forEach((name, value) -> seeds.put(name, encode(encoder, value)));
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(64)) {
            // A descriptor of a buffer of this (generator) process: the host refuses it as forged.
            seeds.put("shared-buffer", encode(encoder, buffer));
        }
        return seeds;
    }

    private static byte[] encode(PayloadEncoder encoder, Object value) {
        encoder.encode(value, 1 << 20);
        byte[] bytes = encoder.encoded().toArray(ValueLayout.JAVA_BYTE);
        var transfers = encoder.takeTransfers();
        if (transfers != null) {
            transfers.rollback();
        }
        return bytes;
    }

    // ---------------------------------------------------------------- ring images

    private static Map<String, byte[]> rings() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("one-response", new RingScript().round(64, message(MessageDescriptor.RESPONSE, 1, 0, -1, 12))
                .bytes());
        seeds.put("request-and-bootstrap", new RingScript().round(64,
                message(MessageDescriptor.BOOTSTRAP, 0, 0, -1, 0), message(MessageDescriptor.REQUEST, 2, 5, 3, 40))
                .bytes());
        seeds.put("fragmented-response", new RingScript().round(64, message(MessageDescriptor.RESPONSE, 3, 1, -1, 300))
                .bytes());
        seeds.put("fragments-over-two-polls", new RingScript()
                .round(2, message(MessageDescriptor.RESPONSE, 4, 0, 0, 250))
                .resume(64).bytes());
        seeds.put("wrapping-with-padding", new RingScript().advance(RingDescriptor.MIN_CAPACITY - 48)
                .round(64, message(MessageDescriptor.RESPONSE, 5, 0, -1, 60), message(MessageDescriptor.RESPONSE, 6, 0, -1, 8))
                .bytes());
        seeds.put("peer-moves-tail", new RingScript().round(64, message(MessageDescriptor.RESPONSE, 7, 0, -1, 4),
                message(MessageDescriptor.RESPONSE, 8, 0, -1, 4)).peerWrite(RingDescriptor.TAIL_POSITION_OFFSET, 1 << 20)
                .bytes());
        return seeds;
    }

    private record Message(int type, long callId, int code, int abortSlot, int payloadBytes) { }

    private static Message message(int type, long callId, int code, int abortSlot, int payloadBytes) {
        return new Message(type, callId, code, abortSlot, payloadBytes);
    }

    /**
     * Builds an input of {@link MessageReceiverFuzzTest} by sending real messages on a real ring and
     * copying what the sender wrote, round by round, consuming each round as the target will.
     */
    private static final class RingScript {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final MemorySegment region = Arena.ofAuto().allocate(
                RingDescriptor.regionBytes(MessageReceiverFuzzTest.CAPACITY), RingDescriptor.REGION_ALIGNMENT);
        private final MpscRing ring;
        private final MessageSender sender;
        private final MessageReceiver receiver;

        RingScript() {
            MpscRing.format(region, MessageReceiverFuzzTest.CAPACITY);
            ring = MpscRing.attach(region, Waiter.platform());
            sender = new MessageSender(ring, new IdleStrategy(IdlePolicy.BALANCED));
            receiver = new MessageReceiver(ring, MessageReceiverFuzzTest.MAX_PAYLOAD_BYTES);
        }

        /** Sends and consumes filler first, so the next round starts at {@code bytes} (absolute positions). */
        RingScript advance(int bytes) {
            long head = ring.region().get(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET);
            while (head < bytes) {
                int room = (int) Math.min(bytes - head - 8 - MessageDescriptor.HEADER_LENGTH, sender.maxFragmentPayload());
                sender.send(MessageDescriptor.RESPONSE, 0, 0, -1, MemorySegment.ofArray(new byte[Math.max(room, 0)]),
                        () -> true);
                receiver.poll((t, c, k, a, p) -> { }, 64);
                head = ring.region().get(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET);
            }
            absolute = true;
            return this;
        }

        private boolean absolute;

        RingScript round(int limit, Message... messages) {
            long head = ring.region().get(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET);
            for (Message m : messages) {
                byte[] payload = new byte[m.payloadBytes()];
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = (byte) (i * 7 + m.callId());
                }
                sender.send(m.type(), m.callId(), m.code(), m.abortSlot(), MemorySegment.ofArray(payload), () -> true);
            }
            long tail = ring.region().get(ValueLayout.JAVA_LONG, RingDescriptor.TAIL_POSITION_OFFSET);
            if (absolute) {
                out.write(0x80 | (limit - 1));
                i64(head);
                i64(tail);
                absolute = false;
            } else {
                out.write(limit - 1);
                u16((int) (tail - head));
            }
            int n = (int) (tail - head);
            u16(n);
            for (int i = 0; i < n; i++) {
                out.write(region.get(ValueLayout.JAVA_BYTE,
                        RingDescriptor.DATA_OFFSET + ((head + i) & (MessageReceiverFuzzTest.CAPACITY - 1))));
            }
            poll(limit);
            return this;
        }

        /** A round writing nothing new: polls what is left between head and tail. */
        RingScript resume(int limit) {
            long head = ring.region().get(ValueLayout.JAVA_LONG, RingDescriptor.HEAD_POSITION_OFFSET);
            long tail = ring.region().get(ValueLayout.JAVA_LONG, RingDescriptor.TAIL_POSITION_OFFSET);
            out.write(limit - 1);
            u16((int) (tail - head));
            u16(0);
            poll(limit);
            return this;
        }

        /** Replaces the no-op peer write of the last delivered message by a write of {@code value}. */
        RingScript peerWrite(long offset, long value) {
            byte[] sofar = out.toByteArray();
            out.reset();
            out.write(sofar, 0, sofar.length - 1);
            out.write((int) (offset / 8 + 1));
            i64(value);
            return this;
        }

        private void poll(int limit) {
            int[] delivered = {0};
            receiver.poll((t, c, k, a, p) -> delivered[0]++, limit);
            for (int i = 0; i < delivered[0]; i++) {
                out.write(0); // no peer write while this message is handled
            }
        }

        private void u16(int v) {
            out.write(v & 0xFF);
            out.write(v >>> 8 & 0xFF);
        }

        private void i64(long v) {
            for (int i = 0; i < Long.BYTES; i++) {
                out.write((int) (v >>> (8 * i)) & 0xFF);
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    // ---------------------------------------------------------------- boot data

    private static Map<String, byte[]> boots() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        BootData inherit = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(0, List.of("com.example.Tasks#square"),
                        0x00c0ffee12345678L, Set.of(), 8 << 20, IdlePolicy.BALANCED, "", ""),
                2_101_248, SharedMemoryMode.INHERIT, "", 1, 4242, -1, false);
        BootData named = new BootData(BootData.PROTOCOL_VERSION,
                new WorkerSpec(65_535,
                        List.of("com.example.Tasks#square", "com.example.Tasks::neg(I)I",
                                "import:com.example.Plugin#run"),
                        -1L, Set.of("", "com.example.model", "\u00e9t\u00e9.x"), Integer.MAX_VALUE, IdlePolicy.LOW_CPU,
                        "com.example.Boot$Inner", "init"),
                1L << 40, SharedMemoryMode.NAMED, "knitting-3f9a.x_y", 3, Long.MAX_VALUE, 1_700_000_000_000L, true);
        seeds.put("inherit", text(inherit));
        seeds.put("named-with-bootstrap", text(named));
        seeds.put("raw-base64", ("!" + inherit.encode()).getBytes(StandardCharsets.ISO_8859_1));
        seeds.put("raw-not-base64", "!knitting-boot=1".getBytes(StandardCharsets.ISO_8859_1));
        return seeds;
    }

    /** The boot text behind {@link BootData#encode()}: what the target base64url-encodes again. */
    private static byte[] text(BootData boot) {
        return Base64.getUrlDecoder().decode(boot.encode());
    }
}
