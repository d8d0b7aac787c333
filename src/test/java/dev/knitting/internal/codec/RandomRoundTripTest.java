package dev.knitting.internal.codec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.knitting.internal.codec.CodecFixtures.canonical;
import static dev.knitting.internal.codec.CodecFixtures.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

class RandomRoundTripTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 0xC0DEC})
    void decodeOfEncodeEqualsTheValueForRandomNestedValues(long seed) {
        RandomValues values = new RandomValues(seed);
        PayloadEncoder encoder = new PayloadEncoder(CodecFixtures.POLICY);
        PayloadDecoder decoder = new PayloadDecoder(CodecFixtures.POLICY);
        for (int i = 0; i < 400; i++) {
            Object value = values.value(4);
            Object expected = canonical(value);
            assertThat(canonical(roundTrip(value))).as("seed %d value %d", seed, i).isEqualTo(expected);
            // the same encoder and decoder, reused across values
            encoder.encode(value, CodecFixtures.MAX);
            assertThat(canonical(decoder.decode(encoder.encoded()))).as("seed %d value %d reused", seed, i)
                    .isEqualTo(expected);
        }
    }
}
