package dev.knitting.internal.codec;

import java.util.HashMap;
import java.util.Map;

/**
 * Constants of one enum class by name. Enums travel by constant name, not ordinal, so reordering
 * constants cannot silently change meaning; decoding looks the name up here and rejects unknown
 * names. Immutable and thread-safe once built.
 */
final class EnumCodec {
    final Class<?> type;
    final String name;
    private final Map<String, Object> byName;

    private EnumCodec(Class<?> type, Map<String, Object> byName) {
        this.type = type;
        this.name = type.getName();
        this.byName = byName;
    }

    static EnumCodec of(Class<?> type) {
        Object[] constants = type.getEnumConstants();
        Map<String, Object> byName = new HashMap<>(constants.length * 2);
        for (Object c : constants) {
            byName.put(((Enum<?>) c).name(), c);
        }
        return new EnumCodec(type, byName);
    }

    /** @return the constant called {@code constant}, or {@code null} when there is none */
    Object constant(String constant) {
        return byName.get(constant);
    }
}
