package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * Both directions of the container family: {@link Tags#LIST}, {@link Tags#SET}, {@link Tags#MAP},
 * {@link Tags#OPTIONAL_EMPTY} and {@link Tags#OPTIONAL}. Elements go through the encoder's and
 * decoder's value walk (depth and cycle bounds live there).
 *
 * <p>Reading presizes nothing beyond {@value #MAX_PRESIZE} elements, lists {@value #MAX_LIST_PRESIZE}
 * (nested containers could otherwise each presize from the same remaining bytes: at most
 * {@link Tags#MAX_DEPTH} such arrays at once); sets and maps follow {@link KeyHashLimit}.
 */
final class ContainerValues {
    static final int MAX_PRESIZE = 64;
    /** A {@code callAll} chunk's list (up to 256 elements each way) is read without growing its array. */
    static final int MAX_LIST_PRESIZE = 256;

    private ContainerValues() {
    }

    static void writeCollection(PayloadEncoder encoder, byte tag, Collection<?> c) {
        encoder.enter(c);
        int n = c.size();
        encoder.out().writeInt(tag, n);
        int count = 0;
        if (c instanceof List<?> l && c instanceof RandomAccess) {
            for (; count < n; count++) {
                encoder.writeValue(l.get(count));
            }
        } else {
            Iterator<?> it = c.iterator();
            for (; count < n && it.hasNext(); count++) {
                encoder.writeValue(it.next());
            }
            if (it.hasNext()) {
                count++;
            }
        }
        if (count != n) {
            throw new PayloadException(c.getClass().getName() + " cannot be a payload: its size changed while it was"
                    + " encoded (size()=" + n + ")");
        }
        encoder.leave();
    }

    static void writeMap(PayloadEncoder encoder, Map<?, ?> m) {
        encoder.enter(m);
        int n = m.size();
        encoder.out().writeInt(Tags.MAP, n);
        int count = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (count++ == n) {
                break;
            }
            encoder.writeValue(e.getKey());
            encoder.writeValue(e.getValue());
        }
        if (count != n) {
            throw new PayloadException(m.getClass().getName() + " cannot be a payload: its size changed while it was"
                    + " encoded (size()=" + n + ")");
        }
        encoder.leave();
    }

    static void writeOptional(PayloadEncoder encoder, Optional<?> o) {
        if (o.isEmpty()) {
            encoder.out().tag(Tags.OPTIONAL_EMPTY);
            return;
        }
        encoder.enter(o);
        encoder.out().tag(Tags.OPTIONAL);
        encoder.writeValue(o.get());
        encoder.leave();
    }

    /** Reads a list whose tag was just read. */
    static ArrayList<Object> readList(PayloadDecoder decoder) {
        decoder.enter();
        int n = decoder.cursor().count(1, Tags.LIST);
        ArrayList<Object> list = new ArrayList<>(Math.min(n, MAX_LIST_PRESIZE));
        for (int i = 0; i < n; i++) {
            list.add(decoder.readValue());
        }
        decoder.leave();
        return list;
    }

    /** Reads a set whose tag was just read. */
    static LinkedHashSet<Object> readSet(PayloadDecoder decoder) {
        long at = decoder.cursor().pos - 1;
        decoder.enter();
        int n = decoder.cursor().count(1, Tags.SET);
        int maxPerHash = decoder.openKeys(n, Tags.SET, at);
        LinkedHashSet<Object> set;
        if (n <= maxPerHash) {
            set = LinkedHashSet.newLinkedHashSet(n);
            for (int i = 0; i < n; i++) {
                set.add(decoder.readValue());
            }
        } else {
            Object[] keys = new Object[Math.min(n, MAX_PRESIZE)];
            for (int i = 0; i < n; i++) {
                keys = room(keys, i, n);
                keys[i] = decoder.readValue();
            }
            KeyHashLimit.check(keys, n, maxPerHash, Tags.SET, at);
            set = LinkedHashSet.newLinkedHashSet(n);
            for (int i = 0; i < n; i++) {
                set.add(keys[i]);
            }
        }
        decoder.closeKeys();
        decoder.leave();
        return set;
    }

    /** Reads a map whose tag was just read. */
    static LinkedHashMap<Object, Object> readMap(PayloadDecoder decoder) {
        long at = decoder.cursor().pos - 1;
        decoder.enter();
        int n = decoder.cursor().count(2, Tags.MAP);
        int maxPerHash = decoder.openKeys(n, Tags.MAP, at);
        LinkedHashMap<Object, Object> map;
        if (n <= maxPerHash) {
            map = LinkedHashMap.newLinkedHashMap(n);
            for (int i = 0; i < n; i++) {
                Object key = decoder.readValue();
                decoder.closeKeys();
                map.put(key, decoder.readValue());
                decoder.reopenKeys();
            }
        } else {
            Object[] keys = new Object[Math.min(n, MAX_PRESIZE)];
            Object[] values = new Object[keys.length];
            for (int i = 0; i < n; i++) {
                keys = room(keys, i, n);
                values = room(values, i, n);
                keys[i] = decoder.readValue();
                decoder.closeKeys();
                values[i] = decoder.readValue();
                decoder.reopenKeys();
            }
            KeyHashLimit.check(keys, n, maxPerHash, Tags.MAP, at);
            map = LinkedHashMap.newLinkedHashMap(n);
            for (int i = 0; i < n; i++) {
                map.put(keys[i], values[i]);
            }
        }
        decoder.closeKeys();
        decoder.leave();
        return map;
    }

    /** Reads a present optional whose tag was just read. */
    static Optional<Object> readOptional(PayloadDecoder decoder) {
        decoder.enter();
        long at = decoder.cursor().pos;
        Object v = decoder.readValue();
        if (v == null) {
            throw new ProtocolException("OPTIONAL holds NULL at offset " + at);
        }
        decoder.leave();
        return Optional.of(v);
    }

    /** @return {@code a}, or a copy with room for element {@code i} of {@code n} */
    static <T> T[] room(T[] a, int i, int n) {
        return i < a.length ? a : Arrays.copyOf(a, (int) Math.min(n, 2L * a.length));
    }
}
