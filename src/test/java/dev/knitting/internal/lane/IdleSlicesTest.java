package dev.knitting.internal.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdleSlicesTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldDoubleEachIdleSliceUpToTwoSecondsAndGoBackToMaxParkAfterWork() {
        IdleSlices slices = new IdleSlices(250 * MS);
        assertThat(slices.current()).isEqualTo(250 * MS);
        slices.idled();
        assertThat(slices.current()).isEqualTo(500 * MS);
        slices.idled();
        slices.idled();
        assertThat(slices.current()).isEqualTo(2_000 * MS);
        slices.idled();
        assertThat(slices.current()).as("capped").isEqualTo(IdleSlices.IDLE_CAP_NANOS);
        slices.worked();
        assertThat(slices.current()).isEqualTo(250 * MS);
        slices.after(false);
        assertThat(slices.current()).isEqualTo(500 * MS);
        slices.after(true);
        assertThat(slices.current()).isEqualTo(250 * MS);
    }

    @Test
    void shouldNeverParkShorterThanMaxParkNorBackOffPastALongerOne() {
        IdleSlices slices = new IdleSlices(10_000 * MS);
        slices.idled();
        assertThat(slices.current()).isEqualTo(10_000 * MS);
        IdleSlices tiny = new IdleSlices(1);
        for (int i = 0; i < 64; i++) {
            tiny.idled();
        }
        assertThat(tiny.current()).isEqualTo(IdleSlices.IDLE_CAP_NANOS);
    }

    @Test
    void shouldRefuseANonPositiveMaxPark() {
        assertThatThrownBy(() -> new IdleSlices(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxParkNanos=0 must be positive");
    }
}
