package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.share.Transfers;
import dev.knitting.internal.share.Transit;
import dev.knitting.shm.ProcessSharedBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.knitting.internal.codec.CodecFixtures.Point;
import static dev.knitting.internal.codec.CodecFixtures.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SPEC 3 containment at the codec level: whatever bytes a peer wrote, decoding n of them costs
 * O(n log n) time, O(n) memory and a bounded number of mappings, and each shared byte is read once.
 */
class DecoderContainmentTest {
    private static final int FLOOD = 150_000;

    /** Two records whose binary names have the same length. */
    record Alpha(int x) { }

    record Bravo(int x) { }

    private final PayloadDecoder decoder = new PayloadDecoder(CodecFixtures.POLICY);

    private Object decode(byte[] bytes) {
        return decoder.decode(MemorySegment.ofArray(bytes));
    }

    /** Encodes {@code elements} as a LIST and relabels it a SET: no set of them is ever built here. */
    private static byte[] asSet(List<?> elements) {
        byte[] bytes = encode(elements);
        bytes[0] = Tags.SET;
        return bytes;
    }

    /** Encodes the entries as a LIST of key, value, key, value... and relabels it a MAP of half the count. */
    private static byte[] asMap(List<?> keys, Object value) {
        List<Object> flat = new ArrayList<>(2 * keys.size());
        for (Object k : keys) {
            flat.add(k);
            flat.add(value);
        }
        byte[] bytes = encode(flat);
        bytes[0] = Tags.MAP;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(1, keys.size());
        return bytes;
    }

    /** {@code n} distinct lists that all have the hashCode 961: {@code [i, -31 * i]}. */
    private static List<List<Integer>> collidingLists(int n) {
        List<List<Integer>> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(List.of(i, -31 * i));
        }
        return keys;
    }

    // ---------------------------------------------------------------- hash flooding

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSetOf150kKeysWithOneHashIsRejectedNamingTheBoundInsteadOfTakingQuadraticTime() {
        byte[] flooded = asSet(collidingLists(FLOOD));

        assertThatThrownBy(() -> decode(flooded))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("SET at payload offset 0")
                .hasMessageContaining("keys=" + FLOOD)
                .hasMessageContaining("hashCode=961")
                .hasMessageContaining("maxKeysPerHash=" + KeyHashLimit.MAX_KEYS_PER_HASH);
        assertThat(decode(encode(7))).as("decoder reusable").isEqualTo(7);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMapOf150kKeysWithOneHashIsRejectedNamingTheBoundInsteadOfTakingQuadraticTime() {
        byte[] flooded = asMap(collidingLists(FLOOD), "v");

        assertThatThrownBy(() -> decode(flooded))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("MAP at payload offset 0")
                .hasMessageContaining("keys=" + FLOOD)
                .hasMessageContaining("maxKeysPerHash=" + KeyHashLimit.MAX_KEYS_PER_HASH);
    }

    @Test
    void aSetAtTheBoundOfKeysPerHashDecodesAndOneMoreIsRejected() {
        List<List<Integer>> atBound = collidingLists(KeyHashLimit.MAX_KEYS_PER_HASH);
        List<Object> withOthers = new ArrayList<>(atBound);
        for (int i = 0; i < 1000; i++) {
            withOthers.add("other " + i);
        }

        assertThat(decode(asSet(withOthers))).isEqualTo(new LinkedHashSet<>(withOthers));
        assertThat(new ArrayList<>((Set<?>) decode(asSet(withOthers)))).as("insertion order").isEqualTo(withOthers);
        assertThat(decode(asMap(atBound, 1))).isEqualTo(Map.copyOf(asMapOf(atBound, 1)));
        assertThatThrownBy(() -> decode(asSet(collidingLists(KeyHashLimit.MAX_KEYS_PER_HASH + 1))))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("keys=" + (KeyHashLimit.MAX_KEYS_PER_HASH + 1));
    }

    private static Map<Object, Object> asMapOf(List<?> keys, Object value) {
        Map<Object, Object> map = new LinkedHashMap<>();
        keys.forEach(k -> map.put(k, value));
        return map;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stringsAndLongsSharingOneHashDecodeCorrectlyBecauseHashMapOrdersThem() {
        // 2^17 strings of 17 blocks "Aa" or "BB" ("Aa".hashCode() == "BB".hashCode()): one hash.
        int blocks = 17;
        List<String> strings = new ArrayList<>(1 << blocks);
        for (int bits = 0; bits < 1 << blocks; bits++) {
            StringBuilder s = new StringBuilder(2 * blocks);
            for (int b = 0; b < blocks; b++) {
                s.append((bits >> b & 1) == 0 ? "Aa" : "BB");
            }
            strings.add(s.toString());
        }
        assertThat(strings.get(0).hashCode()).isEqualTo(strings.get(strings.size() - 1).hashCode());
        List<Long> longs = new ArrayList<>(FLOOD);
        for (long i = 0; i < FLOOD; i++) {
            longs.add(i << 32 | i); // Long.hashCode() == 0 for every one
        }

        Set<?> decodedStrings = (Set<?>) decode(asSet(strings));
        Map<?, ?> decodedLongs = (Map<?, ?>) decode(asMap(longs, Boolean.TRUE));

        assertThat(new ArrayList<>(decodedStrings)).isEqualTo(strings);
        assertThat(decodedStrings.contains("Aa".repeat(blocks))).isTrue();
        assertThat(new ArrayList<>(decodedLongs.keySet())).isEqualTo(longs);
        assertThat(decodedLongs.get(5L << 32 | 5L)).isEqualTo(Boolean.TRUE);
    }

    @Test
    void legitimateRecordsWithSomeCollisionsRoundTrip() {
        // Point(x, y).hashCode() is 31 * x + y: a 200 x 200 grid has up to 7 points per hash.
        Set<Point> grid = new LinkedHashSet<>();
        Map<Point, Integer> index = new LinkedHashMap<>();
        for (int x = 0; x < 200; x++) {
            for (int y = 0; y < 200; y++) {
                grid.add(new Point(x, y));
                index.put(new Point(y, x), x * 200 + y);
            }
        }
        assertThat(CodecFixtures.roundTrip(grid)).isEqualTo(grid);
        assertThat(CodecFixtures.roundTrip(index)).isEqualTo(index);
        Set<String> aaBB = new LinkedHashSet<>(List.of("Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa"));
        assertThat(CodecFixtures.roundTrip(Map.of(aaBB, Set.of(aaBB)))).isEqualTo(Map.of(aaBB, Set.of(aaBB)));
    }

    @Test
    void aSetInsideAKeyMayHoldTwoKeysOfOneHashButNotThree() {
        Set<Object> two = new LinkedHashSet<>(collidingLists(2));
        Set<Object> three = new LinkedHashSet<>(collidingLists(3));

        assertThat(decode(encode(Set.of(two)))).isEqualTo(Set.of(two));
        assertThat(decode(encode(Map.of(List.of(two), 1)))).isEqualTo(Map.of(List.of(two), 1));
        assertThat(decode(encode(Map.of("value, not key", three)))).isEqualTo(Map.of("value, not key", three));
        assertThatThrownBy(() -> decode(encode(Set.of(three))))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("keys=3")
                .hasMessageContaining("maxKeysPerHashInKey=" + KeyHashLimit.MAX_KEYS_PER_HASH_IN_KEY);
        assertThatThrownBy(() -> decode(encode(Map.of(Map.of(List.of(1), three), 1))))
                .as("the set is a value of a map that is a key").isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("maxKeysPerHashInKey=");
    }

    @Test
    void keysNestMaxKeyDepthDeepButNoDeeperWhileMapValuesNestFreely() {
        Object fourDeep = Set.of(Set.of(Set.of(Set.of("leaf"))));
        Object fiveDeep = Set.of(fourDeep);
        Object valuesDeep = "leaf";
        for (int i = 0; i < 100; i++) {
            valuesDeep = Map.of("k" + i, valuesDeep);
        }

        assertThat(decode(encode(fourDeep))).isEqualTo(fourDeep);
        assertThat(decode(encode(valuesDeep))).isEqualTo(valuesDeep);
        assertThat(decode(encode(Set.of(Set.of(Set.of(Set.of(Set.of()))))))).as("an empty set has no keys")
                .isEqualTo(Set.of(Set.of(Set.of(Set.of(Set.of())))));
        assertThatThrownBy(() -> decode(encode(fiveDeep)))
                .isExactlyInstanceOf(PayloadException.class)
                .hasMessageContaining("nested in 5 set elements or map keys")
                .hasMessageContaining("maxKeyDepth=" + KeyHashLimit.MAX_KEY_DEPTH);
        assertThatThrownBy(() -> decode(encode(Map.of(List.of(Map.of(Set.of(Map.of(Set.of(1), 2)), 3)), 4))))
                .as("map keys and set elements count alike").isExactlyInstanceOf(PayloadException.class);
    }

    // ---------------------------------------------------------------- amplification

    /**
     * @return bytes this thread allocated on the heap while running {@code action} (the JDK's
     *     {@code com.sun.management.ThreadMXBean}, by reflection: this module does not read
     *     {@code java.management}, and tests run on the class path)
     */
    private static long allocatedBy(Runnable action) throws ReflectiveOperationException {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        long before = (long) allocated.invoke(threads);
        action.run();
        return (long) allocated.invoke(threads) - before;
    }

    @Test
    void nestedContainersClaimingTheSameRemainingBytesDoNotEachPresizeFromThem() throws Exception {
        // 256 nested lists, each claiming 65,536 elements; the innermost has them (NULLs), the
        // others end early. Each claim alone fits the bytes that remain.
        int levels = Tags.MAX_DEPTH;
        int claim = 1 << 16;
        ByteBuffer b = ByteBuffer.allocate(levels * 5 + claim).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < levels; i++) {
            b.put(Tags.LIST).putInt(claim);
        }
        byte[] payload = b.array(); // the rest is NULL (0x00) elements

        decode(encode(List.of(1))); // warm: class loading and the like are not what is measured
        long allocated = allocatedBy(() -> assertThatThrownBy(() -> decode(payload))
                .isExactlyInstanceOf(ProtocolException.class).hasMessageContaining("truncated"));

        assertThat(allocated).as("bytes allocated decoding a payload of %d bytes", payload.length)
                .isLessThan(32L * payload.length);
    }

    // ---------------------------------------------------------------- one read per shared byte

    @Test
    void aClassNameRewrittenWhileItIsResolvedCannotBindAnotherNameToItsCodec() {
        byte[] alpha = encode(new Alpha(1));
        byte[] bravo = encode(new Bravo(2));
        MemorySegment shared = MemorySegment.ofArray(alpha.clone());
        byte[] alphaName = Alpha.class.getName().getBytes(StandardCharsets.ISO_8859_1);
        byte[] bravoName = Bravo.class.getName().getBytes(StandardCharsets.ISO_8859_1);
        long nameAt = indexOf(alpha, alphaName);
        ClassLoader racingPeer = new ClassLoader(null) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(Alpha.class.getName())) {
                    // the peer rewrites the name in its memory while this side resolves it
                    MemorySegment.copy(bravoName, 0, shared, ValueLayout.JAVA_BYTE, nameAt, bravoName.length);
                }
                return DecoderContainmentTest.class.getClassLoader().loadClass(name);
            }
        };
        PayloadDecoder raced = new PayloadDecoder(TypePolicy.of(racingPeer, Set.of(CodecFixtures.PACKAGE)));

        Object first = raced.decode(shared);
        Object second = raced.decode(MemorySegment.ofArray(bravo));

        assertThat(first).isEqualTo(new Alpha(1));
        assertThat(second).isEqualTo(new Bravo(2));
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
        throw new AssertionError("not found");
    }

    // ---------------------------------------------------------------- mappings per payload

    @Test
    void aPayloadNamingMoreThanMaxSharedBuffersIsRejectedBeforeTheExtraOneIsResolved() {
        Transit transit = new Transit();
        PayloadEncoder encoder = new PayloadEncoder(CodecFixtures.POLICY, Peer.sameProcess(transit));
        PayloadDecoder sameProcess = new PayloadDecoder(CodecFixtures.POLICY, Peer.sameProcess(transit));
        try (ProcessSharedBuffer buffer = ProcessSharedBuffer.create(64)) {
            encoder.encode(Collections.nCopies(ZeroCopyDescriptors.MAX_SHARED_BUFFERS, buffer), 1 << 20);
            byte[] atBound = encoder.encoded().toArray(ValueLayout.JAVA_BYTE);
            Transfers first = encoder.takeTransfers();
            encoder.encode(Collections.nCopies(ZeroCopyDescriptors.MAX_SHARED_BUFFERS + 1, buffer), 1 << 20);
            byte[] overBound = encoder.encoded().toArray(ValueLayout.JAVA_BYTE);
            Transfers second = encoder.takeTransfers();

            assertThat((List<?>) sameProcess.decode(MemorySegment.ofArray(atBound)))
                    .hasSize(ZeroCopyDescriptors.MAX_SHARED_BUFFERS);
            sameProcess.takeReceived().closeBuffers();
            assertThatThrownBy(() -> sameProcess.decode(MemorySegment.ofArray(overBound)))
                    .isExactlyInstanceOf(PayloadException.class)
                    .hasMessageContaining("maxSharedBuffers=" + ZeroCopyDescriptors.MAX_SHARED_BUFFERS);
            assertThat(sameProcess.takeReceived()).as("the partial decode's handles were closed").isNull();
            first.settle();
            second.settle();
            assertThat(buffer.isOpen()).isTrue();
        }
    }
}
