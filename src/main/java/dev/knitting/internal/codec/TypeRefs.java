package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;

import static dev.knitting.internal.codec.LittleEndian.CHAR_LAYOUT;

/**
 * Both directions of the named-type family: records and enums ({@link Tags#ENUM},
 * {@link Tags#RECORD}). Their classes travel as type refs: the first use in a payload defines the
 * next number with the class name (and a record's component count), later uses give the number.
 * Names pass the {@link TypePolicy} before any class is loaded. One {@link Writer} per encoder and
 * one {@link Reader} per decoder; not thread-safe.
 */
final class TypeRefs {
    private static final int LINEAR_TYPES = 16;
    private static final int NAME_CACHE = 16;
    /** Longest encoded class name (tag and length included) kept in the name cache. */
    private static final int MAX_CACHED_NAME_BYTES = 1024;

    private TypeRefs() {
    }

    /** The encoder's side: numbers the record and enum classes of one payload. */
    static final class Writer {
        private final PayloadEncoder encoder;
        private final TypePolicy policy;
        private final Class<?>[] types = new Class<?>[LINEAR_TYPES];
        private int typeCount;
        private IdentityHashMap<Class<?>, Integer> moreTypes;
        private Class<?> lastRecordClass;
        private RecordCodec lastRecord;

        Writer(PayloadEncoder encoder, TypePolicy policy) {
            this.encoder = encoder;
            this.policy = policy;
        }

        /** Forgets the last payload's type numbers. */
        void reset() {
            if (typeCount > 0) {
                Arrays.fill(types, 0, Math.min(typeCount, LINEAR_TYPES), null);
                typeCount = 0;
            }
            moreTypes = null;
        }

        void writeEnum(Enum<?> e) {
            EnumCodec codec = policy.enumType(e.getDeclaringClass());
            typeRef(Tags.ENUM, codec.type, codec.name, -1);
            encoder.out().writeString(e.name());
        }

        void writeRecord(Record r) {
            Class<?> c = r.getClass();
            RecordCodec codec = lastRecord;
            if (c != lastRecordClass) {
                codec = policy.record(c);
                lastRecordClass = c;
                lastRecord = codec;
            }
            EncodeBuffer out = encoder.out();
            encoder.enter(r);
            typeRef(Tags.RECORD, c, codec.name, codec.componentCount());
            byte[] kinds = codec.kinds;
            var getters = codec.getters;
            int i = 0;
            try {
                for (; i < kinds.length; i++) {
                    switch (kinds[i]) {
                        case RecordCodec.K_INT -> out.writeInt(Tags.INT, (int) getters[i].invokeExact((Object) r));
                        case RecordCodec.K_LONG -> out.writeLong(Tags.LONG, (long) getters[i].invokeExact((Object) r));
                        case RecordCodec.K_DOUBLE -> out.writeLong(Tags.DOUBLE,
                                Double.doubleToRawLongBits((double) getters[i].invokeExact((Object) r)));
                        case RecordCodec.K_FLOAT -> out.writeInt(Tags.FLOAT,
                                Float.floatToRawIntBits((float) getters[i].invokeExact((Object) r)));
                        case RecordCodec.K_BOOLEAN ->
                                out.tag((boolean) getters[i].invokeExact((Object) r) ? Tags.TRUE : Tags.FALSE);
                        case RecordCodec.K_BYTE -> encoder.writeValue((byte) getters[i].invokeExact((Object) r));
                        case RecordCodec.K_SHORT -> out.writeShort(Tags.SHORT, (short) getters[i].invokeExact((Object) r));
                        case RecordCodec.K_CHAR ->
                                out.writeShort(Tags.CHAR, (short) (char) getters[i].invokeExact((Object) r));
                        default -> encoder.writeValue((Object) getters[i].invokeExact((Object) r));
                    }
                }
            } catch (PayloadException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new PayloadException("record " + codec.name + " cannot be encoded: component '"
                        + codec.componentNames[i] + "' failed: " + t, t);
            }
            encoder.leave();
        }

        /** Writes {@code tag} and the type ref of {@code type}, defining the type on first use in this payload. */
        private void typeRef(byte tag, Class<?> type, String name, int components) {
            EncodeBuffer out = encoder.out();
            int k = typeIndex(type);
            if (k >= 0) {
                out.writeInt(tag, k);
                return;
            }
            k = typeCount++;
            if (k < LINEAR_TYPES) {
                types[k] = type;
            } else {
                if (moreTypes == null) {
                    moreTypes = new IdentityHashMap<>();
                }
                moreTypes.put(type, k);
            }
            out.writeInt(tag, k);
            out.writeString(name);
            if (components >= 0) {
                out.raw16(components);
            }
        }

        private int typeIndex(Class<?> type) {
            int n = Math.min(typeCount, LINEAR_TYPES);
            for (int i = 0; i < n; i++) {
                if (types[i] == type) {
                    return i;
                }
            }
            if (moreTypes != null) {
                Integer k = moreTypes.get(type);
                return k == null ? -1 : k;
            }
            return -1;
        }
    }

    /** The decoder's side: the payload's type table and a cache of recently resolved names. */
    static final class Reader {
        private final PayloadDecoder decoder;
        private final TypePolicy policy;
        private Object[] types = new Object[8];
        private int typeCount;
        /** Recently resolved class names: raw string value bytes (tag, length, data) to codec. */
        private final byte[][] nameKeys = new byte[NAME_CACHE][];
        private final MemorySegment[] nameKeySegments = new MemorySegment[NAME_CACHE];
        private final Object[] nameCodecs = new Object[NAME_CACHE];
        private int nameNext;

        Reader(PayloadDecoder decoder, TypePolicy policy) {
            this.decoder = decoder;
            this.policy = policy;
        }

        /** Forgets the last payload's type table. */
        void reset() {
            if (typeCount > 0) {
                Arrays.fill(types, 0, typeCount, null);
                typeCount = 0;
            }
        }

        /** Reads an enum constant whose {@link Tags#ENUM} tag was just read. */
        Object readEnum() {
            DecodeCursor cur = decoder.cursor();
            EnumCodec codec = (EnumCodec) typeRef(false);
            String name = cur.string();
            Object constant = codec.constant(name);
            if (constant == null) {
                throw new PayloadException("enum " + codec.name + " has no constant '" + name + "' (payload offset "
                        + cur.pos + ")");
            }
            return constant;
        }

        /** Reads a record whose {@link Tags#RECORD} tag was just read. */
        Object readRecord() {
            DecodeCursor cur = decoder.cursor();
            decoder.enter();
            RecordCodec codec = (RecordCodec) typeRef(true);
            int n = codec.componentCount();
            Object[] args = new Object[n];
            for (int i = 0; i < n; i++) {
                Object v = decoder.readValue();
                if (v == null ? codec.primitive[i] : !codec.checkTypes[i].isInstance(v)) {
                    throw new PayloadException("record " + codec.name + " component '" + codec.componentNames[i]
                            + "' is " + codec.checkTypes[i].getName() + " but the payload holds "
                            + (v == null ? "null" : v.getClass().getName()) + " (before offset " + cur.pos + ")");
                }
                args[i] = v;
            }
            Object r;
            try {
                r = (Object) codec.constructor.invokeExact(args);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                throw new PayloadException("record " + codec.name + " rejected the decoded components: " + t, t);
            }
            decoder.leave();
            return r;
        }

        /**
         * Reads a type ref (see {@link Tags}): an index of this payload's type table, or a new definition.
         *
         * @return a {@link RecordCodec} or {@link EnumCodec}
         */
        private Object typeRef(boolean record) {
            DecodeCursor cur = decoder.cursor();
            long at = cur.pos;
            int k = cur.i32();
            Object codec;
            if (k >= 0 && k < typeCount) {
                codec = types[k];
                if (record ? !(codec instanceof RecordCodec) : !(codec instanceof EnumCodec)) {
                    throw new ProtocolException("type ref " + k + " at offset " + at + " names "
                            + (record ? "an enum where a record is expected" : "a record where an enum is expected"));
                }
                return codec;
            }
            if (k != typeCount) {
                throw new ProtocolException("type ref " + Integer.toUnsignedString(k) + " at offset " + at + " but only "
                        + typeCount + " types are defined");
            }
            codec = typeName(record);
            if (record) {
                RecordCodec rc = (RecordCodec) codec;
                int components = cur.i16() & 0xFFFF;
                if (components != rc.componentCount()) {
                    throw new ProtocolException("record " + rc.name + " has " + rc.componentCount()
                            + " components here but the payload says " + components + " (offset " + (cur.pos - 2) + ")");
                }
            }
            if (typeCount == types.length) {
                types = Arrays.copyOf(types, typeCount * 2);
            }
            types[typeCount++] = codec;
            return codec;
        }

        /** Reads a class name string and resolves it, without allocating when it was seen recently. */
        private Object typeName(boolean record) {
            DecodeCursor cur = decoder.cursor();
            long start = cur.pos;
            byte tag = cur.u8tag();
            int n = switch (tag) {
                case Tags.STRING_LATIN1 -> cur.count(1, tag);
                case Tags.STRING_UTF16 -> cur.count(2, tag);
                default -> throw new ProtocolException("expected a class name string at offset " + start
                        + " but found tag " + Tags.name(tag));
            };
            long size = cur.pos - start + (tag == Tags.STRING_LATIN1 ? n : 2L * n);
            for (int i = 0; i < NAME_CACHE; i++) {
                byte[] key = nameKeys[i];
                if (key != null && key.length == size
                        && cur.matches(start, size, nameKeySegments[i])) {
                    Object codec = nameCodecs[i];
                    if (record ? codec instanceof RecordCodec : codec instanceof EnumCodec) {
                        cur.pos = start + size;
                        return codec;
                    }
                }
            }
            // One read of the name's bytes: resolved and cached from the same copy, so a peer rewriting
            // them meanwhile cannot bind one name to another name's codec.
            byte[] key = cur.copyOut(start, (int) size);
            cur.pos = start + size;
            String name = tag == Tags.STRING_LATIN1
                    ? new String(key, (int) (size - n), n, StandardCharsets.ISO_8859_1)
                    : utf16(key, (int) (size - 2L * n), n);
            Object codec = policy.resolve(name, record);
            if (size > MAX_CACHED_NAME_BYTES) {
                return codec;
            }
            int slot = nameNext;
            nameNext = (slot + 1) % NAME_CACHE;
            nameKeys[slot] = key;
            nameKeySegments[slot] = MemorySegment.ofArray(key);
            nameCodecs[slot] = codec;
            return codec;
        }

        private static String utf16(byte[] bytes, int offset, int n) {
            char[] chars = new char[n];
            MemorySegment.copy(MemorySegment.ofArray(bytes), CHAR_LAYOUT, offset, chars, 0, n);
            return new String(chars);
        }
    }
}
