package dev.knitting.internal.codec;

import dev.knitting.ProtocolException;

import java.time.DateTimeException;
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

/**
 * Both directions of the {@code java.time} family ({@link Tags#INSTANT} to {@link Tags#MONTH_DAY},
 * tags {@code 0x30}-{@code 0x3F}), in one place: a new time type touches this file (and its tag).
 * Values the JDK rejects (a month 13, a nano-of-second past a second) become
 * {@link ProtocolException}s.
 */
final class TimeValues {
    private TimeValues() {
    }

    /** @return whether {@code v} is a time value (then written), else nothing is written */
    static boolean write(EncodeBuffer out, Object v) {
        switch (v) {
            case Instant t -> {
                out.writeLong(Tags.INSTANT, t.getEpochSecond());
                out.raw32(t.getNano());
            }
            case Duration d -> {
                out.writeLong(Tags.DURATION, d.getSeconds());
                out.raw32(d.getNano());
            }
            case Period p -> {
                out.writeInt(Tags.PERIOD, p.getYears());
                out.raw32(p.getMonths());
                out.raw32(p.getDays());
            }
            case LocalDate d -> {
                out.tag(Tags.LOCAL_DATE);
                date(out, d);
            }
            case LocalTime t -> out.writeLong(Tags.LOCAL_TIME, t.toNanoOfDay());
            case LocalDateTime t -> {
                out.tag(Tags.LOCAL_DATE_TIME);
                dateTime(out, t);
            }
            case OffsetDateTime t -> {
                out.tag(Tags.OFFSET_DATE_TIME);
                dateTime(out, t.toLocalDateTime());
                out.raw32(t.getOffset().getTotalSeconds());
            }
            case OffsetTime t -> {
                out.writeLong(Tags.OFFSET_TIME, t.toLocalTime().toNanoOfDay());
                out.raw32(t.getOffset().getTotalSeconds());
            }
            case ZonedDateTime t -> {
                out.tag(Tags.ZONED_DATE_TIME);
                dateTime(out, t.toLocalDateTime());
                out.raw32(t.getOffset().getTotalSeconds());
                out.writeString(t.getZone().getId());
            }
            case ZoneOffset z -> out.writeInt(Tags.ZONE_OFFSET, z.getTotalSeconds());
            case ZoneId z -> {
                out.tag(Tags.ZONE_ID);
                out.writeString(z.getId());
            }
            case Year y -> out.writeInt(Tags.YEAR, y.getValue());
            case YearMonth y -> {
                out.writeInt(Tags.YEAR_MONTH, y.getYear());
                out.raw8(y.getMonthValue());
            }
            case MonthDay m -> {
                out.tag(Tags.MONTH_DAY);
                out.raw8(m.getMonthValue());
                out.raw8(m.getDayOfMonth());
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void date(EncodeBuffer out, LocalDate d) {
        out.raw32(d.getYear());
        out.raw8(d.getMonthValue());
        out.raw8(d.getDayOfMonth());
    }

    private static void dateTime(EncodeBuffer out, LocalDateTime t) {
        date(out, t.toLocalDate());
        out.raw64(t.toLocalTime().toNanoOfDay());
    }

    /**
     * Reads the body of a time value whose tag was just read.
     *
     * @throws ProtocolException for an unknown tag or a value the JDK rejects
     */
    static Object read(DecodeCursor cur, byte tag) {
        try {
            return switch (tag) {
                case Tags.INSTANT -> {
                    long s = cur.i64();
                    yield Instant.ofEpochSecond(s, nanoOfSecond(cur));
                }
                case Tags.DURATION -> {
                    long s = cur.i64();
                    yield Duration.ofSeconds(s, nanoOfSecond(cur));
                }
                case Tags.PERIOD -> {
                    int y = cur.i32();
                    int m = cur.i32();
                    yield Period.of(y, m, cur.i32());
                }
                case Tags.LOCAL_DATE -> date(cur);
                case Tags.LOCAL_TIME -> LocalTime.ofNanoOfDay(cur.i64());
                case Tags.LOCAL_DATE_TIME -> dateTime(cur);
                case Tags.OFFSET_DATE_TIME -> {
                    LocalDateTime t = dateTime(cur);
                    yield OffsetDateTime.of(t, ZoneOffset.ofTotalSeconds(cur.i32()));
                }
                case Tags.OFFSET_TIME -> {
                    LocalTime t = LocalTime.ofNanoOfDay(cur.i64());
                    yield OffsetTime.of(t, ZoneOffset.ofTotalSeconds(cur.i32()));
                }
                case Tags.ZONED_DATE_TIME -> {
                    LocalDateTime t = dateTime(cur);
                    ZoneOffset offset = ZoneOffset.ofTotalSeconds(cur.i32());
                    yield ZonedDateTime.ofLocal(t, ZoneId.of(cur.string()), offset);
                }
                case Tags.ZONE_ID -> ZoneId.of(cur.string());
                case Tags.ZONE_OFFSET -> ZoneOffset.ofTotalSeconds(cur.i32());
                case Tags.YEAR -> Year.of(cur.i32());
                case Tags.YEAR_MONTH -> {
                    int y = cur.i32();
                    yield YearMonth.of(y, cur.u8());
                }
                case Tags.MONTH_DAY -> {
                    int m = cur.u8();
                    yield MonthDay.of(m, cur.u8());
                }
                default -> throw new ProtocolException("unknown tag " + Tags.name(tag) + " at offset " + (cur.pos - 1));
            };
        } catch (DateTimeException e) {
            throw new ProtocolException("invalid " + Tags.name(tag) + " value before offset " + cur.pos + ": "
                    + e.getMessage(), e);
        }
    }

    private static int nanoOfSecond(DecodeCursor cur) {
        int nano = cur.i32();
        if (nano < 0 || nano > 999_999_999) {
            throw new ProtocolException("nano-of-second " + nano + " out of range before offset " + cur.pos);
        }
        return nano;
    }

    private static LocalDate date(DecodeCursor cur) {
        int y = cur.i32();
        int m = cur.u8();
        return LocalDate.of(y, m, cur.u8());
    }

    private static LocalDateTime dateTime(DecodeCursor cur) {
        LocalDate d = date(cur);
        return LocalDateTime.of(d, LocalTime.ofNanoOfDay(cur.i64()));
    }
}
