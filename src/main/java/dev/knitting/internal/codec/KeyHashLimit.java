package dev.knitting.internal.codec;

import dev.knitting.PayloadException;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;

/**
 * The decoder's rules against hash flooding: what keeps filling a decoded {@code LinkedHashSet}
 * or {@code LinkedHashMap} linear in the payload's bytes, whatever keys a hostile peer chose.
 *
 * <p>Why: a {@code HashMap} finds a key by its {@code hashCode} and then calls {@code equals} on
 * every key of the same hash that it cannot order. Keys it cannot order are those that are not
 * all of one class implementing {@code Comparable} of itself: lists, sets, records, ... So n keys
 * sharing one hash ({@code List.of(i, -31 * i)} for every i) cost n<sup>2</sup>/2 {@code equals}
 * calls to insert: 150,000 of them take minutes. Three rules, checked before the first key is
 * inserted, bound that work:
 *
 * <ol>
 * <li><b>Keys per hash.</b> At most {@value #MAX_KEYS_PER_HASH} keys of one set or map share a
 *     {@code hashCode}; at most {@value #MAX_KEYS_PER_HASH_IN_KEY} in a set or map that is itself
 *     inside a set element or map key (there every {@code equals} of the outer key walks it, so
 *     collisions would multiply level by level). Exempt: a group of one hash whose keys all have
 *     one class of {@link #ORDERED_CLASSES} ({@code String}, the boxed primitives,
 *     {@code BigInteger}, {@code UUID}). Each of those implements {@code Comparable} of itself,
 *     consistently with {@code equals} and in time linear in its size, so {@code HashMap} keeps
 *     such a group in a tree bin and inserts in O(log n) comparisons: 2<sup>17</sup> strings made
 *     of "Aa" and "BB" blocks, or {@code Long}s {@code (i << 32) | i}, all of one hash, decode
 *     correctly and fast.</li>
 * <li><b>Key depth.</b> Values sit inside at most {@value #MAX_KEY_DEPTH} set elements or map keys
 *     (a set of sets of sets of sets of strings is the deepest). Every enclosing key hashes its
 *     whole content again ({@code hashCode} of a collection is not cached), so without this bound
 *     a payload of {@link Tags#MAX_DEPTH} nested sets would hash its bytes 256 times.</li>
 * <li>The check itself costs one {@code hashCode} per key and one sort of n longs:
 *     O(n log n).</li>
 * </ol>
 *
 * <p>Bound: the bytes of a payload are hashed at most 2 x {@value #MAX_KEY_DEPTH} times (here and
 * by the map); one {@code equals} between two keys costs at most
 * {@value #MAX_KEYS_PER_HASH_IN_KEY}<sup>{@value #MAX_KEY_DEPTH} - 1</sup> times the smaller key's
 * size (ordered groups add a logarithmic factor), and each key meets at most
 * {@value #MAX_KEYS_PER_HASH} others; so decoding n bytes costs O(n log n) whatever the keys.
 * Records with their own {@code hashCode} or {@code equals} are trusted application code and cost
 * what that code costs. Legitimate data rarely comes near: the points of a 750 x 750 grid (the
 * most a default 8 MiB payload holds) share one record {@code hashCode} at most 25 times.
 * A payload over a bound fails its call with a {@link PayloadException} naming the bound. Duplicate
 * keys count as keys (an encoder never writes them: it encodes a set).
 */
final class KeyHashLimit {
    /** Most keys of one hash in a set or map that is not inside a set element or map key. */
    static final int MAX_KEYS_PER_HASH = 64;
    /** Most keys of one hash in a set or map inside a set element or map key. */
    static final int MAX_KEYS_PER_HASH_IN_KEY = 2;
    /** Most set elements and map keys any value of a payload may sit inside. */
    static final int MAX_KEY_DEPTH = 4;

    /** Classes whose same-hash keys {@code HashMap} orders in a tree bin (see the class comment). */
    static final Set<Class<?>> ORDERED_CLASSES = Set.of(String.class, Boolean.class, Byte.class, Short.class,
            Character.class, Integer.class, Long.class, Float.class, Double.class, BigInteger.class, UUID.class);

    private KeyHashLimit() {
    }

    /**
     * @param keyDepth how many set elements and map keys enclose the set or map
     * @return the most keys of one hash the set or map may hold there
     */
    static int maxKeysPerHash(int keyDepth) {
        return keyDepth == 0 ? MAX_KEYS_PER_HASH : MAX_KEYS_PER_HASH_IN_KEY;
    }

    /**
     * Checks that the keys of a set or map about to open stay within {@link #MAX_KEY_DEPTH}.
     *
     * @param keyDepth how many set elements and map keys enclose the set or map
     * @throws PayloadException if its keys would be nested deeper
     */
    static void checkKeyDepth(int keyDepth, byte tag, long at) {
        if (keyDepth >= MAX_KEY_DEPTH) {
            throw new PayloadException(Tags.name(tag) + " at payload offset " + at + " has keys nested in "
                    + (keyDepth + 1) + " set elements or map keys; at most maxKeyDepth=" + MAX_KEY_DEPTH
                    + " are decoded (each level hashes its keys again)");
        }
    }

    /**
     * Checks that at most {@code maxPerHash} of {@code keys[0, n)} share a {@code hashCode}, except
     * groups of one {@linkplain #ORDERED_CLASSES ordered class}. Calls {@code hashCode} once per key.
     *
     * @throws PayloadException naming the hash, the count and the bound if they do not
     */
    static void check(Object[] keys, int n, int maxPerHash, byte tag, long at) {
        if (n <= maxPerHash) {
            return;
        }
        long[] byHash = new long[n];
        for (int i = 0; i < n; i++) {
            Object k = keys[i];
            byHash[i] = (long) (k == null ? 0 : k.hashCode()) << 32 | i;
        }
        Arrays.sort(byHash);
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || hash(byHash[i]) != hash(byHash[start])) {
                if (i - start > maxPerHash && !oneOrderedClass(keys, byHash, start, i)) {
                    throw flooded(keys[index(byHash[start])], i - start, hash(byHash[start]), maxPerHash, tag, at);
                }
                start = i;
            }
        }
    }

    private static boolean oneOrderedClass(Object[] keys, long[] byHash, int from, int to) {
        Object first = keys[index(byHash[from])];
        if (first == null || !ORDERED_CLASSES.contains(first.getClass())) {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            Object k = keys[index(byHash[i])];
            if (k == null || k.getClass() != first.getClass()) {
                return false;
            }
        }
        return true;
    }

    private static int hash(long entry) {
        return (int) (entry >> 32);
    }

    private static int index(long entry) {
        return (int) entry;
    }

    private static PayloadException flooded(Object example, int count, int hash, int maxPerHash, byte tag, long at) {
        String bound = maxPerHash == MAX_KEYS_PER_HASH ? "maxKeysPerHash=" + MAX_KEYS_PER_HASH
                : "maxKeysPerHashInKey=" + MAX_KEYS_PER_HASH_IN_KEY + " (a set or map inside a set element or map key)";
        return new PayloadException(Tags.name(tag) + " at payload offset " + at + " holds keys=" + count
                + " with hashCode=" + hash + " (one is a " + (example == null ? "null" : example.getClass().getName())
                + "); at most " + bound + " keys of one set or map may share a hashCode (hash flooding)");
    }
}
