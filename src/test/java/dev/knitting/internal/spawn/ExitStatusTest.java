package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class ExitStatusTest {
    @ParameterizedTest(name = "[{index}] exitValue {0} -> signal {1}")
    @CsvSource({"0,0", "3,0", "127,0", "128,0", "129,1", "134,6", "137,9", "143,15", "192,64", "193,0", "255,0"})
    void shouldDecodeValuesAbove128AsSignals(int exitValue, int signal) {
        ExitStatus status = ExitStatus.of(exitValue, false);

        assertThat(status.signal()).isEqualTo(signal);
        assertThat(status.signaled()).isEqualTo(signal != 0);
        assertThat(status.code()).isEqualTo(signal != 0 ? -1 : exitValue);
    }

    @Test
    void shouldDescribeAKillByName() {
        assertThat(ExitStatus.of(137, true).describe())
                .isEqualTo("killed by signal 9 (SIGKILL, exit value 137), stop requested by the host");
        assertThat(ExitStatus.of(134, false).describe()).contains("SIGABRT, a JVM crash");
        assertThat(ExitStatus.of(3, false).describe()).isEqualTo("exit code 3");
    }

    @Test
    void shouldRejectASignalThatDisagreesWithTheValue() {
        assertThatThrownBy(() -> new ExitStatus(3, 9, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signal=9");
    }
}
