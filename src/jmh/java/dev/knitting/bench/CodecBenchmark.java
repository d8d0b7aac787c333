package dev.knitting.bench;

import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.codec.TypePolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * G11: codec encode+decode of an int, a 5-field record and a 1 KiB string (Latin-1 and UTF-16).
 * {@code roundTrip} decodes from the encoder's own buffer; {@code roundTripViaShared} copies the
 * bytes into a native segment first and decodes there, as a lane does; {@code copyFloor} is the
 * baseline: a {@code MemorySegment.copy} of the same number of bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {
    private static final long MAX_BYTES = 1 << 20;

    /** The G11 5-field record. */
    public record Sample(int id, long timestamp, double score, String name, boolean active) {
    }

    @Param({"int", "record5", "string1k", "string1kUtf16"})
    public String payload;

    private Object value;
    private PayloadEncoder encoder;
    private PayloadDecoder decoder;
    private Arena arena;
    private MemorySegment shared;
    private MemorySegment copySource;

    @Setup(Level.Trial)
    public void setUp() {
        TypePolicy policy = TypePolicy.of(CodecBenchmark.class.getClassLoader(), Set.of("dev.knitting.bench"));
        encoder = new PayloadEncoder(policy);
        decoder = new PayloadDecoder(policy);
        StringBuilder text = new StringBuilder();
        while (text.length() < 1024) {
            text.append("The quick brown fox jumps over the lazy dog. ");
        }
        value = switch (payload) {
            case "int" -> 123_456;
            case "record5" -> new Sample(42, 1_700_000_000_000L, 0.75, "knitting", true);
            case "string1k" -> text.substring(0, 1024);
            case "string1kUtf16" -> text.substring(0, 1023) + "\u20ac";
            default -> throw new IllegalArgumentException("payload=" + payload);
        };
        int n = encoder.encode(value, MAX_BYTES);
        if (!value.equals(decoder.decode(encoder.encoded()))) {
            throw new IllegalStateException("round trip changed " + value);
        }
        arena = Arena.ofConfined();
        shared = arena.allocate(MAX_BYTES, 64);
        copySource = MemorySegment.ofArray(new byte[n]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Object roundTrip() {
        encoder.encode(value, MAX_BYTES);
        return decoder.decode(encoder.encoded());
    }

    @Benchmark
    public Object roundTripViaShared() {
        int n = encoder.encode(value, MAX_BYTES);
        MemorySegment.copy(encoder.encoded(), 0, shared, 0, n);
        return decoder.decode(shared.asSlice(0, n));
    }

    @Benchmark
    public int encode() {
        return encoder.encode(value, MAX_BYTES);
    }

    @Benchmark
    public MemorySegment copyFloor() {
        MemorySegment.copy(copySource, 0, shared, 0, copySource.byteSize());
        return shared;
    }
}
