package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class WorkerEnvTest {
    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource({"'',0", "0,0", "1,1", "16,16", "17,0", "-1,0", "x,0", "007,0", "'1 ',0"})
    void shouldReadThePoolDepthOrFallBackToZero(String value, int depth) {
        assertThat(WorkerEnv.parseDepth(value)).isEqualTo(depth);
    }

    @Test
    void shouldTreatAnUnsetDepthAsZero() {
        assertThat(WorkerEnv.parseDepth(null)).isZero();
    }
}
