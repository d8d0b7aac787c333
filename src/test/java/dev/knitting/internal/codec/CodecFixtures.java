package dev.knitting.internal.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Test types and helpers shared by the codec tests. */
final class CodecFixtures {
    static final String PACKAGE = CodecFixtures.class.getPackageName();
    static final TypePolicy POLICY = TypePolicy.of(CodecFixtures.class.getClassLoader(), Set.of(PACKAGE));
    static final long MAX = 64L << 20;

    enum Color { RED, GREEN { @Override public String toString() { return "green!"; } }, BLUE }

    record Point(int x, int y) { }

    record Person(String name, int age, double score, boolean active, long id) { }

    record AllPrimitives(byte b, short s, char c, int i, long l, float f, double d, boolean z) { }

    record Holder(Object value) { }

    record Outer(Point point, List<Point> points, Map<String, Color> colors, Optional<String> note, Holder holder) { }

    record Validated(int x) {
        Validated {
            if (x < 0) {
                throw new IllegalArgumentException("x must not be negative: " + x);
            }
        }
    }

    private CodecFixtures() {
    }

    static byte[] encode(Object value) {
        PayloadEncoder encoder = new PayloadEncoder(POLICY);
        int n = encoder.encode(value, MAX);
        assertThat(encoder.encoded().byteSize()).isEqualTo(n);
        return encoder.encoded().toArray(ValueLayout.JAVA_BYTE);
    }

    static Object decode(byte[] bytes) {
        return new PayloadDecoder(POLICY).decode(MemorySegment.ofArray(bytes));
    }

    /**
     * Encodes {@code value}, copies the bytes to an unaligned read-only native segment and to a fresh heap
     * array, decodes both and checks they agree; returns the value decoded from native memory.
     */
    static Object roundTrip(Object value) {
        byte[] bytes = encode(value);
        PayloadDecoder decoder = new PayloadDecoder(POLICY);
        Object fromHeap = decoder.decode(MemorySegment.ofArray(bytes.clone()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment shm = arena.allocate(bytes.length + 8L, 8).asSlice(3, bytes.length);
            MemorySegment.copy(bytes, 0, shm, ValueLayout.JAVA_BYTE, 0, bytes.length);
            Object fromNative = decoder.decode(shm.asReadOnly());
            assertThat(canonical(fromNative)).isEqualTo(canonical(fromHeap));
            return fromNative;
        }
    }

    /**
     * A form of {@code v} whose {@code equals} is exact: floating point by raw bits, arrays and
     * buffers by content (and byte order), collections in iteration order with their kind.
     */
    static Object canonical(Object v) {
        if (v == null) {
            return null;
        } else if (v instanceof Double d) {
            return "D" + Long.toHexString(Double.doubleToRawLongBits(d));
        } else if (v instanceof Float f) {
            return "F" + Integer.toHexString(Float.floatToRawIntBits(f));
        } else if (v.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            out.add(v.getClass().getComponentType().getName());
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(canonical(Array.get(v, i)));
            }
            return out;
        } else if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return List.of("ByteBuffer", b.order().toString(), canonical(bytes));
        } else if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            out.add("List");
            l.forEach(e -> out.add(canonical(e)));
            return out;
        } else if (v instanceof Set<?> s) {
            List<Object> out = new ArrayList<>();
            out.add("Set");
            s.forEach(e -> out.add(canonical(e)));
            return out;
        } else if (v instanceof Map<?, ?> m) {
            List<Object> out = new ArrayList<>();
            out.add("Map");
            m.forEach((k, x) -> out.add(Arrays.asList(canonical(k), canonical(x))));
            return out;
        } else if (v instanceof Optional<?> o) {
            return o.isPresent() ? List.of("Optional", canonical(o.get())) : List.of("Optional");
        } else if (v instanceof Throwable t) {
            return canonicalThrowable(t, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        } else if (v instanceof Record r) {
            List<Object> out = new ArrayList<>();
            out.add(r.getClass().getName());
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    out.add(canonical(c.getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
            return out;
        }
        return v;
    }

    private static Object canonicalThrowable(Throwable t, Set<Throwable> seen) {
        if (t == null) {
            return null;
        }
        if (!seen.add(t)) {
            return "seen " + t.getClass().getName();
        }
        List<Object> out = new ArrayList<>();
        out.add(t.getClass().getName());
        out.add(t.getMessage());
        out.add(Arrays.asList(t.getStackTrace()));
        out.add(canonicalThrowable(t.getCause(), seen));
        for (Throwable s : t.getSuppressed()) {
            out.add(canonicalThrowable(s, seen));
        }
        return out;
    }
}
