package dev.knitting;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting and comparing helpers of the contract suite. No sleeps: every wait polls a condition. */
final class ContractSupport {
    /** How long a condition may take before the test fails with its description. */
    static final Duration CONDITION_DEADLINE = Duration.ofSeconds(45);

    private ContractSupport() {
    }

    /**
     * Waits for {@code future} to end exceptionally and returns the exception it ended with
     * (unwrapped from {@link CompletionException}); fails if it ends with a value.
     */
    static Throwable failureOf(CompletableFuture<?> future) {
        try {
            Object value = future.join();
            throw new AssertionError("expected the call to fail, but it completed with " + describe(value));
        } catch (CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    /**
     * Calls {@code action}; if it throws, returns that; otherwise waits for the returned future to fail
     * and returns its exception. For operations that may reject at once or through the future.
     */
    static Throwable failureOfCallOrFuture(Supplier<? extends CompletableFuture<?>> action) {
        CompletableFuture<?> future;
        try {
            future = action.get();
        } catch (RuntimeException e) {
            return e;
        }
        return failureOf(future);
    }

    /** Polls {@code condition} until it holds; fails with {@code what} and {@code state} past the deadline. */
    static void awaitCondition(String what, BooleanSupplier condition, Supplier<?> state) {
        long deadline = System.nanoTime() + CONDITION_DEADLINE.toNanos();
        int round = 0;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up waiting for: " + what + "; state: " + state.get());
            }
            if (++round < 100) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /**
     * Asserts that {@code actual} is {@code expected} after a round trip: same scalar classes, bit-exact
     * floating point (NaN payloads and -0.0 included), arrays compared element by element,
     * collections by interface and content, records and enums by class and {@code equals}.
     */
    static void assertSameValue(Object expected, Object actual) {
        assertSameValue("value", expected, actual);
    }

    private static void assertSameValue(String path, Object expected, Object actual) {
        if (expected == null) {
            assertThat(actual).as(path).isNull();
            return;
        }
        assertThat(actual).as(path + " (expected " + describe(expected) + ")").isNotNull();
        switch (expected) {
            case List<?> list -> {
                assertThat(actual).as(path).isInstanceOf(List.class);
                List<?> other = (List<?>) actual;
                assertThat(other).as(path + " size").hasSize(list.size());
                for (int i = 0; i < list.size(); i++) {
                    assertSameValue(path + "[" + i + "]", list.get(i), other.get(i));
                }
            }
            case Set<?> set -> {
                assertThat(actual).as(path).isInstanceOf(Set.class);
                assertThat((Set<?>) actual).as(path).isEqualTo(set);
                assertSameElementClasses(path, set, (Set<?>) actual);
            }
            case Map<?, ?> map -> {
                assertThat(actual).as(path).isInstanceOf(Map.class);
                Map<?, ?> other = (Map<?, ?>) actual;
                assertThat(other.keySet()).as(path + " keys").isEqualTo(map.keySet());
                assertSameElementClasses(path + " keys", map.keySet(), other.keySet());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    assertSameValue(path + "{" + e.getKey() + "}", e.getValue(), other.get(e.getKey()));
                }
            }
            case ByteBuffer buffer -> {
                assertThat(actual).as(path).isInstanceOf(ByteBuffer.class);
                assertThat((ByteBuffer) actual).as(path).isEqualTo(buffer);
            }
            case Optional<?> optional -> {
                assertThat(actual).as(path).isInstanceOf(Optional.class);
                Optional<?> other = (Optional<?>) actual;
                assertThat(other.isPresent()).as(path + " present").isEqualTo(optional.isPresent());
                optional.ifPresent(v -> assertSameValue(path + ".get()", v, other.get()));
            }
            case Double d -> {
                assertThat(actual).as(path).isExactlyInstanceOf(Double.class);
                assertThat(Double.doubleToRawLongBits((Double) actual)).as(path + " bits of " + d)
                        .isEqualTo(Double.doubleToRawLongBits(d));
            }
            case Float f -> {
                assertThat(actual).as(path).isExactlyInstanceOf(Float.class);
                assertThat(Float.floatToRawIntBits((Float) actual)).as(path + " bits of " + f)
                        .isEqualTo(Float.floatToRawIntBits(f));
            }
            case double[] array -> {
                assertThat(actual).as(path).isExactlyInstanceOf(double[].class);
                double[] other = (double[]) actual;
                assertThat(other).as(path + " length").hasSize(array.length);
                for (int i = 0; i < array.length; i++) {
                    assertThat(Double.doubleToRawLongBits(other[i])).as(path + "[" + i + "] bits")
                            .isEqualTo(Double.doubleToRawLongBits(array[i]));
                }
            }
            case float[] array -> {
                assertThat(actual).as(path).isExactlyInstanceOf(float[].class);
                float[] other = (float[]) actual;
                assertThat(other).as(path + " length").hasSize(array.length);
                for (int i = 0; i < array.length; i++) {
                    assertThat(Float.floatToRawIntBits(other[i])).as(path + "[" + i + "] bits")
                            .isEqualTo(Float.floatToRawIntBits(array[i]));
                }
            }
            default -> {
                assertThat(actual.getClass()).as(path + " class").isEqualTo(expected.getClass());
                if (expected.getClass().isArray()) {
                    assertThat(java.util.Objects.deepEquals(expected, actual)).as(path + " array content").isTrue();
                } else {
                    assertThat(actual).as(path).isEqualTo(expected);
                }
            }
        }
    }

    private static void assertSameElementClasses(String path, Set<?> expected, Set<?> actual) {
        // Equal sets whose elements differ in class (Integer 1 vs Long 1) cannot be equal, except for
        // mixed-up numbers that compare by value in sorted sets; check classes as multisets of names.
        Iterator<?> it = expected.iterator();
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        while (it.hasNext()) {
            Object e = it.next();
            counts.merge(e == null ? "null" : e.getClass().getName(), 1, Integer::sum);
        }
        for (Object a : actual) {
            counts.merge(a == null ? "null" : a.getClass().getName(), -1, Integer::sum);
        }
        counts.values().removeIf(c -> c == 0);
        assertThat(counts).as(path + " element classes (expected minus actual)").isEmpty();
    }

    /** A short description of a value for messages, safe for large and cyclic values. */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value.getClass().isArray()) {
            return value.getClass().getTypeName() + "(length " + java.lang.reflect.Array.getLength(value) + ")";
        }
        if (value instanceof java.util.Collection<?> c) {
            return value.getClass().getName() + "(size " + c.size() + ")";
        }
        if (value instanceof Map<?, ?> m) {
            return value.getClass().getName() + "(size " + m.size() + ")";
        }
        String text = String.valueOf(value);
        return value.getClass().getName() + ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }
}
