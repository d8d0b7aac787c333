package dev.knitting.bench;

import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.codec.TypePolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Objects;
import java.util.Set;

/**
 * G11: the cost of turning a payload into bytes and back on one thread. Knitting's codec against
 * what a Java user would reach for to send an object to another JVM, {@code java.io}
 * serialization. Each histogram entry is the mean of a batch of {@value #BATCH} round trips (one
 * clock read per batch keeps timer cost out of nanosecond figures).
 */
final class CodecSide {
    static final int BATCH = 1_000;

    /** A 5-field record, serializable so the baseline can carry it too. */
    record Sample(int id, long stamp, double value, String name, boolean flag) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The three G11 payloads. */
    enum Payload {
        INT(42),
        RECORD(new Sample(7, 1_700_000_000_000L, 3.25, "sample", true)),
        STRING_1K("knitting-".repeat(114).substring(0, 1024));

        final Object value;

        Payload(Object value) {
            this.value = value;
        }
    }

    private CodecSide() {
    }

    static Contender knitting(Payload payload) {
        return new Contender("knitting codec encode+decode " + payload) {
            private PayloadEncoder encoder;
            private PayloadDecoder decoder;

            @Override
            public void open() {
                TypePolicy policy = TypePolicy.of(CodecSide.class.getClassLoader(), Set.of("dev.knitting.bench"));
                encoder = new PayloadEncoder(policy);
                decoder = new PayloadDecoder(policy);
            }

            @Override
            public Measurement round(RoundSpec spec) {
                return measure(spec, () -> {
                    encoder.encode(payload.value, Long.MAX_VALUE);
                    return decoder.decode(encoder.encoded());
                }, payload.value);
            }

            @Override
            public void close() {
            }
        };
    }

    static Contender javaSerialization(Payload payload) {
        return new Contender("java.io serialization write+read " + payload) {
            @Override
            public void open() {
            }

            @Override
            public Measurement round(RoundSpec spec) {
                return measure(spec, () -> {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
                    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                        out.writeObject(payload.value);
                    }
                    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                        return in.readObject();
                    }
                }, payload.value);
            }

            @Override
            public void close() {
            }
        };
    }

    /** One way of turning the payload into bytes and back. */
    @FunctionalInterface
    interface RoundTrip {
        Object run() throws Exception;
    }

    private static Measurement measure(RoundSpec spec, RoundTrip trip, Object expected) {
        LatencyHistogram h = new LatencyHistogram();
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        long now;
        try {
            do {
                long t0 = System.nanoTime();
                Object last = null;
                for (int i = 0; i < BATCH; i++) {
                    last = trip.run();
                }
                now = System.nanoTime();
                if (!Objects.equals(last, expected)) {
                    throw new IllegalStateException("round trip returned " + last + " for " + expected);
                }
                h.record((now - t0) / BATCH);
                ops += BATCH;
            } while (now < deadline);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return watch.stop(ops, 0, h, "");
    }
}
