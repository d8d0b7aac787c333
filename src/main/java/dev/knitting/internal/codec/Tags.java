package dev.knitting.internal.codec;

/**
 * The payload format, documented once: every value is one tag byte followed by its body.
 *
 * <p>A payload is exactly one value; bytes after it are an error. All multi-byte numbers are
 * little-endian and unaligned; nothing in a payload is an absolute offset, so the bytes may be
 * copied anywhere (and in fragments) and decoded from any segment. There is no header: the lane
 * record around the payload carries magic, version and length. Notation: {@code u8/u16/u32}
 * unsigned, {@code i32/i64} signed, {@code value} a nested tagged value, {@code str} a nested
 * {@code STRING_LATIN1} or {@code STRING_UTF16} value (tag included), {@code str?} the same or
 * {@code NULL}. Counts and lengths are {@code u32} and are checked against the bytes that remain
 * before anything is allocated.
 *
 * <pre>
 * tag   name               body
 * ----  -----------------  ---------------------------------------------------------------
 * 0x00  NULL               (none)
 * 0x01  FALSE              (none)
 * 0x02  TRUE               (none)
 * 0x03  BYTE               i8
 * 0x04  SHORT              i16
 * 0x05  CHAR               u16 (UTF-16 code unit)
 * 0x06  INT                i32
 * 0x07  LONG               i64
 * 0x08  FLOAT              u32 raw bits (NaN payloads kept)
 * 0x09  DOUBLE             u64 raw bits (NaN payloads kept)
 * 0x0A  BIG_INTEGER        u32 n (n &gt;= 1), n bytes two's complement big-endian
 * 0x0B  BIG_DECIMAL        i32 scale, u32 n (n &gt;= 1), n bytes unscaled two's complement big-endian
 * 0x0C  STRING_LATIN1      u32 n, n bytes (every char &lt; 256)
 * 0x0D  STRING_UTF16       u32 n, n UTF-16 code units (2n bytes; lone surrogates kept)
 * 0x10  BOOLEAN_ARRAY      u32 n, n bytes each 0 or 1
 * 0x11  BYTE_ARRAY         u32 n, n bytes
 * 0x12  SHORT_ARRAY        u32 n, n x i16
 * 0x13  CHAR_ARRAY         u32 n, n x u16
 * 0x14  INT_ARRAY          u32 n, n x i32
 * 0x15  LONG_ARRAY         u32 n, n x i64
 * 0x16  FLOAT_ARRAY        u32 n, n x u32 raw bits
 * 0x17  DOUBLE_ARRAY       u32 n, n x u64 raw bits
 * 0x18  BYTE_BUFFER        u8 order (0 big-endian, 1 little-endian), u32 n, n bytes (remaining)
 * 0x20  LIST               u32 n, n x value                 (decoded as ArrayList)
 * 0x21  SET                u32 n, n x value                 (decoded as LinkedHashSet)
 * 0x22  MAP                u32 n, n x (key value, value)    (decoded as LinkedHashMap)
 * 0x23  OPTIONAL_EMPTY     (none)
 * 0x24  OPTIONAL           value (not NULL)
 * 0x25  UUID               i64 most significant bits, i64 least significant bits
 * 0x30  INSTANT            i64 epoch second, i32 nano
 * 0x31  DURATION           i64 seconds, i32 nano
 * 0x32  PERIOD             i32 years, i32 months, i32 days
 * 0x33  LOCAL_DATE         i32 year, u8 month, u8 day
 * 0x34  LOCAL_TIME         i64 nano of day
 * 0x35  LOCAL_DATE_TIME    i32 year, u8 month, u8 day, i64 nano of day
 * 0x36  OFFSET_DATE_TIME   LOCAL_DATE_TIME body, i32 offset seconds
 * 0x37  OFFSET_TIME        i64 nano of day, i32 offset seconds
 * 0x38  ZONED_DATE_TIME    LOCAL_DATE_TIME body, i32 offset seconds, str zone id
 * 0x39  ZONE_ID            str zone id (region or offset id)
 * 0x3A  ZONE_OFFSET        i32 total seconds
 * 0x3B  YEAR               i32 year
 * 0x3C  YEAR_MONTH         i32 year, u8 month
 * 0x3D  MONTH_DAY          u8 month, u8 day
 * 0x40  ENUM               type ref, str constant name
 * 0x41  RECORD             type ref, then one value per record component in declaration order
 * 0x50  THROWABLE          str class name, str? message, u32 frames, frames x frame,
 *                          value cause (NULL, THROWABLE or THROWABLE_REF),
 *                          u32 s, s x (THROWABLE or THROWABLE_REF) suppressed
 * 0x51  THROWABLE_REF      u32 index of an earlier THROWABLE of this payload (pre-order)
 * 0x70  ENVELOPE           value header, then the body: BYTE_ARRAY, BYTE_BUFFER, MEMORY_SEGMENT,
 *                          SHARED_BUFFER or BUFFER_REFERENCE (any other tag is an error)
 * 0x71  SHARED_BUFFER      i64 sender pid, i32 sender fd, i64 kept-buffer word (0 but from a host to its
 *                          process worker: KeptBufferWord), i64 token high, i64 token low,
 *                          i64 buffer length, i64 offset, i64 length, str? name
 *                          (a descriptor: see ZeroCopyDescriptors for how it is checked)
 * 0x72  BUFFER_REFERENCE   i64 transit token, i64 address, i64 size; between processes the address
 *                          field is a negated handoff id, then i64 key, u8 flags (1: sender keeps its mapping)
 * 0x73  MEMORY_SEGMENT     u32 n, n bytes (only as an ENVELOPE body)
 *
 * type ref  u32 k: k &lt; types-so-far names an earlier definition of this payload; k ==
 *           types-so-far starts a new one: str binary class name, and for RECORD a u16
 *           component count (must match the class). Any other k is an error.
 * frame     str? class loader name, str? module name, str? module version,
 *           str declaring class, str method name, str? file name, i32 line number
 * </pre>
 *
 * <p>Every tag not listed is an error. A {@code THROWABLE_REF} to a throwable still being decoded
 * (a cause cycle) decodes as {@code null}, which is how cycles are cut.
 */
public final class Tags {
    public static final byte NULL = 0x00;
    public static final byte FALSE = 0x01;
    public static final byte TRUE = 0x02;
    public static final byte BYTE = 0x03;
    public static final byte SHORT = 0x04;
    public static final byte CHAR = 0x05;
    public static final byte INT = 0x06;
    public static final byte LONG = 0x07;
    public static final byte FLOAT = 0x08;
    public static final byte DOUBLE = 0x09;
    public static final byte BIG_INTEGER = 0x0A;
    public static final byte BIG_DECIMAL = 0x0B;
    public static final byte STRING_LATIN1 = 0x0C;
    public static final byte STRING_UTF16 = 0x0D;

    public static final byte BOOLEAN_ARRAY = 0x10;
    public static final byte BYTE_ARRAY = 0x11;
    public static final byte SHORT_ARRAY = 0x12;
    public static final byte CHAR_ARRAY = 0x13;
    public static final byte INT_ARRAY = 0x14;
    public static final byte LONG_ARRAY = 0x15;
    public static final byte FLOAT_ARRAY = 0x16;
    public static final byte DOUBLE_ARRAY = 0x17;
    public static final byte BYTE_BUFFER = 0x18;

    public static final byte LIST = 0x20;
    public static final byte SET = 0x21;
    public static final byte MAP = 0x22;
    public static final byte OPTIONAL_EMPTY = 0x23;
    public static final byte OPTIONAL = 0x24;
    public static final byte UUID = 0x25;

    public static final byte INSTANT = 0x30;
    public static final byte DURATION = 0x31;
    public static final byte PERIOD = 0x32;
    public static final byte LOCAL_DATE = 0x33;
    public static final byte LOCAL_TIME = 0x34;
    public static final byte LOCAL_DATE_TIME = 0x35;
    public static final byte OFFSET_DATE_TIME = 0x36;
    public static final byte OFFSET_TIME = 0x37;
    public static final byte ZONED_DATE_TIME = 0x38;
    public static final byte ZONE_ID = 0x39;
    public static final byte ZONE_OFFSET = 0x3A;
    public static final byte YEAR = 0x3B;
    public static final byte YEAR_MONTH = 0x3C;
    public static final byte MONTH_DAY = 0x3D;

    public static final byte ENUM = 0x40;
    public static final byte RECORD = 0x41;

    public static final byte THROWABLE = 0x50;
    public static final byte THROWABLE_REF = 0x51;

    public static final byte ENVELOPE = 0x70;
    public static final byte SHARED_BUFFER = 0x71;
    /** Thread workers only. */
    public static final byte BUFFER_REFERENCE = 0x72;
    /** Only as an {@link #ENVELOPE} body. */
    public static final byte MEMORY_SEGMENT = 0x73;

    /** Byte-order marks of {@link #BYTE_BUFFER}. */
    public static final byte ORDER_BIG_ENDIAN = 0;
    public static final byte ORDER_LITTLE_ENDIAN = 1;

    /** Nesting bound shared by encoder and decoder: values deeper than this are rejected. */
    public static final int MAX_DEPTH = 256;

    private Tags() {
    }

    /** @return the name of {@code tag} as in the table above, or {@code "0x.."} when unknown */
    public static String name(int tag) {
        return switch (tag & 0xFF) {
            case NULL -> "NULL";
            case FALSE -> "FALSE";
            case TRUE -> "TRUE";
            case BYTE -> "BYTE";
            case SHORT -> "SHORT";
            case CHAR -> "CHAR";
            case INT -> "INT";
            case LONG -> "LONG";
            case FLOAT -> "FLOAT";
            case DOUBLE -> "DOUBLE";
            case BIG_INTEGER -> "BIG_INTEGER";
            case BIG_DECIMAL -> "BIG_DECIMAL";
            case STRING_LATIN1 -> "STRING_LATIN1";
            case STRING_UTF16 -> "STRING_UTF16";
            case BOOLEAN_ARRAY -> "BOOLEAN_ARRAY";
            case BYTE_ARRAY -> "BYTE_ARRAY";
            case SHORT_ARRAY -> "SHORT_ARRAY";
            case CHAR_ARRAY -> "CHAR_ARRAY";
            case INT_ARRAY -> "INT_ARRAY";
            case LONG_ARRAY -> "LONG_ARRAY";
            case FLOAT_ARRAY -> "FLOAT_ARRAY";
            case DOUBLE_ARRAY -> "DOUBLE_ARRAY";
            case BYTE_BUFFER -> "BYTE_BUFFER";
            case LIST -> "LIST";
            case SET -> "SET";
            case MAP -> "MAP";
            case OPTIONAL_EMPTY -> "OPTIONAL_EMPTY";
            case OPTIONAL -> "OPTIONAL";
            case UUID -> "UUID";
            case INSTANT -> "INSTANT";
            case DURATION -> "DURATION";
            case PERIOD -> "PERIOD";
            case LOCAL_DATE -> "LOCAL_DATE";
            case LOCAL_TIME -> "LOCAL_TIME";
            case LOCAL_DATE_TIME -> "LOCAL_DATE_TIME";
            case OFFSET_DATE_TIME -> "OFFSET_DATE_TIME";
            case OFFSET_TIME -> "OFFSET_TIME";
            case ZONED_DATE_TIME -> "ZONED_DATE_TIME";
            case ZONE_ID -> "ZONE_ID";
            case ZONE_OFFSET -> "ZONE_OFFSET";
            case YEAR -> "YEAR";
            case YEAR_MONTH -> "YEAR_MONTH";
            case MONTH_DAY -> "MONTH_DAY";
            case ENUM -> "ENUM";
            case RECORD -> "RECORD";
            case THROWABLE -> "THROWABLE";
            case THROWABLE_REF -> "THROWABLE_REF";
            case ENVELOPE -> "ENVELOPE";
            case SHARED_BUFFER -> "SHARED_BUFFER";
            case BUFFER_REFERENCE -> "BUFFER_REFERENCE";
            case MEMORY_SEGMENT -> "MEMORY_SEGMENT";
            default -> String.format("0x%02X", tag & 0xFF);
        };
    }
}
