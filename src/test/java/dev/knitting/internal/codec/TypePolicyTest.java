package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.DayOfWeek;
import java.util.HashSet;
import java.util.Set;

import static dev.knitting.internal.codec.CodecFixtures.Point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class TypePolicyTest {

    @Test
    void allowedPackagesMatchExactlyNotByPrefix() {
        TypePolicy parent = TypePolicy.of(null, Set.of("dev.knitting.internal"));
        assertThatThrownBy(() -> new PayloadEncoder(parent).encode(new Point(1, 2), 1000))
                .isInstanceOf(PayloadException.class)
                .hasMessageContaining("is not allowed");
    }

    @Test
    void thePolicyKeepsAnImmutableCopyOfThePackages() {
        Set<String> packages = new HashSet<>(Set.of(CodecFixtures.PACKAGE));
        TypePolicy policy = TypePolicy.of(getClass().getClassLoader(), packages);
        packages.clear();
        assertThat(policy.allowedPackages()).containsExactly(CodecFixtures.PACKAGE);
        assertThatThrownBy(() -> policy.allowedPackages().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatNullPointerException().isThrownBy(() -> TypePolicy.of(null, null));
    }

    @Test
    void jdkTimeEnumsDecodeUnderAnEmptyPolicyThroughTheBootLoader() {
        TypePolicy empty = TypePolicy.of(new ClassLoader(null) { }, Set.of());
        PayloadEncoder encoder = new PayloadEncoder(empty);
        encoder.encode(DayOfWeek.FRIDAY, 100);
        assertThat(new PayloadDecoder(empty).decode(encoder.encoded())).isSameAs(DayOfWeek.FRIDAY);
    }

    @Test
    void oneDecoderServesPayloadsFromManyEncodersAndTheNameCacheStaysCorrect() {
        PayloadDecoder decoder = new PayloadDecoder(CodecFixtures.POLICY);
        PayloadEncoder encoder = new PayloadEncoder(CodecFixtures.POLICY);
        for (int i = 0; i < 100; i++) {
            Object value = switch (i % 4) {
                case 0 -> new Point(i, i);
                case 1 -> new CodecFixtures.Holder(CodecFixtures.Color.BLUE);
                case 2 -> new CodecFixtures.Validated(i);
                default -> CodecFixtures.Color.GREEN;
            };
            encoder.encode(value, 1000);
            MemorySegment copy = MemorySegment.ofArray(encoder.encoded().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertThat(decoder.decode(copy)).isEqualTo(value);
        }
    }
}
