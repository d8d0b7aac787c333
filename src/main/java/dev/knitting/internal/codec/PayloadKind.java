package dev.knitting.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What the encoder does with a value of a given class, decided once per class.
 *
 * <p>Why: a {@code ClassValue} lookup and one {@code switch} replace a long {@code instanceof}
 * chain on the hot path. The answer depends only on the class, never on a {@link TypePolicy}; the
 * allow-list check for records and enums happens afterwards.
 */
enum PayloadKind {
    BOOLEAN, BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE, BIG_INTEGER, BIG_DECIMAL, STRING,
    BOOLEAN_ARRAY, BYTE_ARRAY, SHORT_ARRAY, CHAR_ARRAY, INT_ARRAY, LONG_ARRAY, FLOAT_ARRAY, DOUBLE_ARRAY,
    BYTE_BUFFER, LIST, SET, MAP, OPTIONAL, UUID,
    INSTANT, DURATION, PERIOD, LOCAL_DATE, LOCAL_TIME, LOCAL_DATE_TIME, OFFSET_DATE_TIME, OFFSET_TIME,
    ZONED_DATE_TIME, ZONE_ID, ZONE_OFFSET, YEAR, YEAR_MONTH, MONTH_DAY,
    ENUM, RECORD, THROWABLE,
    ENVELOPE, SHARED_BUFFER, BUFFER_REFERENCE,
    /** A {@link java.lang.foreign.MemorySegment}: only as an envelope body. */
    MEMORY_SEGMENT,
    /** Lambdas, method references and other functional objects: rejected. */
    FUNCTION,
    /** Arrays of references ({@code Object[]}, {@code String[]}, ...): rejected. */
    OBJECT_ARRAY,
    /** A {@link Collection} that is neither a {@link List} nor a {@link Set}: rejected. */
    OTHER_COLLECTION,
    /** Anything else: rejected. */
    UNSUPPORTED;

    private static final ClassValue<PayloadKind> KINDS = new ClassValue<>() {
        @Override
        protected PayloadKind computeValue(Class<?> type) {
            return classify(type);
        }
    };

    static PayloadKind of(Class<?> type) {
        return KINDS.get(type);
    }

    private static PayloadKind classify(Class<?> c) {
        if (c.isHidden() || c.isSynthetic()) {
            return FUNCTION;
        }
        if (c == Boolean.class) {
            return BOOLEAN;
        } else if (c == Byte.class) {
            return BYTE;
        } else if (c == Short.class) {
            return SHORT;
        } else if (c == Character.class) {
            return CHAR;
        } else if (c == Integer.class) {
            return INT;
        } else if (c == Long.class) {
            return LONG;
        } else if (c == Float.class) {
            return FLOAT;
        } else if (c == Double.class) {
            return DOUBLE;
        } else if (c == String.class) {
            return STRING;
        } else if (c == UUID.class) {
            return UUID;
        }
        if (c.isArray()) {
            return arrayKind(c.getComponentType());
        }
        if (c == dev.knitting.Envelope.class) {
            return ENVELOPE;
        } else if (c == dev.knitting.shm.ProcessSharedBuffer.class) {
            return SHARED_BUFFER;
        } else if (c == dev.knitting.unsafe.BufferReference.class) {
            return BUFFER_REFERENCE;
        } else if (java.lang.foreign.MemorySegment.class.isAssignableFrom(c)) {
            return MEMORY_SEGMENT;
        }
        if (c.isRecord()) {
            return RECORD;
        }
        if (Enum.class.isAssignableFrom(c)) {
            return ENUM;
        }
        if (Throwable.class.isAssignableFrom(c)) {
            return THROWABLE;
        }
        if (BigInteger.class.isAssignableFrom(c)) {
            return BIG_INTEGER;
        } else if (BigDecimal.class.isAssignableFrom(c)) {
            return BIG_DECIMAL;
        } else if (ByteBuffer.class.isAssignableFrom(c)) {
            return BYTE_BUFFER;
        } else if (List.class.isAssignableFrom(c)) {
            return LIST;
        } else if (Set.class.isAssignableFrom(c)) {
            return SET;
        } else if (Map.class.isAssignableFrom(c)) {
            return MAP;
        } else if (Collection.class.isAssignableFrom(c)) {
            return OTHER_COLLECTION;
        } else if (c == Optional.class) {
            return OPTIONAL;
        }
        PayloadKind time = timeKind(c);
        if (time != null) {
            return time;
        }
        return isFunctional(c) ? FUNCTION : UNSUPPORTED;
    }

    private static PayloadKind arrayKind(Class<?> component) {
        if (component == boolean.class) {
            return BOOLEAN_ARRAY;
        } else if (component == byte.class) {
            return BYTE_ARRAY;
        } else if (component == short.class) {
            return SHORT_ARRAY;
        } else if (component == char.class) {
            return CHAR_ARRAY;
        } else if (component == int.class) {
            return INT_ARRAY;
        } else if (component == long.class) {
            return LONG_ARRAY;
        } else if (component == float.class) {
            return FLOAT_ARRAY;
        } else if (component == double.class) {
            return DOUBLE_ARRAY;
        }
        return OBJECT_ARRAY;
    }

    private static PayloadKind timeKind(Class<?> c) {
        if (c == Instant.class) {
            return INSTANT;
        } else if (c == Duration.class) {
            return DURATION;
        } else if (c == Period.class) {
            return PERIOD;
        } else if (c == LocalDate.class) {
            return LOCAL_DATE;
        } else if (c == LocalTime.class) {
            return LOCAL_TIME;
        } else if (c == LocalDateTime.class) {
            return LOCAL_DATE_TIME;
        } else if (c == OffsetDateTime.class) {
            return OFFSET_DATE_TIME;
        } else if (c == OffsetTime.class) {
            return OFFSET_TIME;
        } else if (c == ZonedDateTime.class) {
            return ZONED_DATE_TIME;
        } else if (c == ZoneOffset.class) {
            return ZONE_OFFSET;
        } else if (ZoneId.class.isAssignableFrom(c) && c.getModule() == Object.class.getModule()) {
            return ZONE_ID;
        } else if (c == Year.class) {
            return YEAR;
        } else if (c == YearMonth.class) {
            return YEAR_MONTH;
        } else if (c == MonthDay.class) {
            return MONTH_DAY;
        }
        return null;
    }

    /** @return whether {@code c} implements an interface annotated {@code @FunctionalInterface} */
    private static boolean isFunctional(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                if (isFunctionalInterface(i)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isFunctionalInterface(Class<?> i) {
        if (i.isAnnotationPresent(FunctionalInterface.class)) {
            return true;
        }
        for (Class<?> s : i.getInterfaces()) {
            if (isFunctionalInterface(s)) {
                return true;
            }
        }
        return false;
    }
}
