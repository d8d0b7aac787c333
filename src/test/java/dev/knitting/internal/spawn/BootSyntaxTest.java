package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each predicate of {@link BootSyntax} answers as the regular expression it replaced, on many strings. */
class BootSyntaxTest {
    /** Letters, digits, other numbers, surrogate-pair letters, separators and symbols. */
    private static final String[] PIECES = {"a", "Z", "k", "0", "1", "9", "f", "F", ".", "_", "$", "-", " ", "/",
        "\u00e9", "\u4e2d", "\u00b2", "\u216b", "\u0661", "\ud835\udc9c", "\ud800", "\n", "x", "7"};

    @Test
    void aShmNameIsWhatThePatternOfShmNamesMatches() {
        assertSameAnswers("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}", BootSyntax::isShmName);
    }

    @Test
    void aQualifiedNameIsWhatThePatternOfPackageAndClassNamesMatches() {
        assertSameAnswers("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*", BootSyntax::isQualifiedName);
    }

    @Test
    void aNumberIsWhatThePatternOfBootNumbersMatches() {
        assertSameAnswers("0|-1|[1-9][0-9]{0,18}", BootSyntax::isNumber);
    }

    @Test
    void aFingerprintIsSixteenLowerCaseHexDigits() {
        assertSameAnswers("[0-9a-f]{16}", BootSyntax::isHex16);
    }

    private static void assertSameAnswers(String regex, Predicate<String> predicate) {
        Pattern pattern = Pattern.compile(regex);
        List<String> samples = samples();
        int matched = 0;
        for (String s : samples) {
            boolean expected = pattern.matcher(s).matches();
            assertThat(predicate.test(s)).as("\"%s\" against %s", s, regex).isEqualTo(expected);
            matched += expected ? 1 : 0;
        }
        assertThat(matched).as("samples the pattern matches").isGreaterThan(20);
    }

    private static List<String> samples() {
        List<String> samples = new ArrayList<>(List.of("", "0", "-1", "-0", "00", "01", "-2", "1234567890123456789",
                "12345678901234567890", "9223372036854775807", "0123456789abcdef", "0123456789ABCDEF",
                "0123456789abcde", "0123456789abcdef0", "a.b", "a..b", ".a", "a.", "a.1", "a1.b2", "$.$", "_",
                "java.lang.String", "x".repeat(255), "x".repeat(256), "-".repeat(255), "." + "x".repeat(10)));
        Random random = new Random(42);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            b.setLength(0);
            int length = random.nextInt(i % 4 == 0 ? 20 : 8);
            String alphabet = i % 3 == 0 ? "0123456789abcdef" : null;
            for (int j = 0; j < length; j++) {
                b.append(alphabet != null ? String.valueOf(alphabet.charAt(random.nextInt(16)))
                        : PIECES[random.nextInt(PIECES.length)]);
            }
            samples.add(b.toString());
        }
        for (int i = 0; i < 2_000; i++) {
            samples.add(Long.toString(random.nextLong() >>> random.nextInt(64)));
        }
        return samples;
    }
}
