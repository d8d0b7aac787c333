package dev.knitting.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class CallByCallTest {
    /** A side with nothing to open, only a count of its operations. */
    private static final class Counted implements Side {
        final AtomicLong runs = new AtomicLong();

        @Override
        public void open() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shouldTimeBothOperationsInOneRoundAndHandTheSecondItsFigureWithoutRunningAgain() throws Exception {
        Counted a = new Counted();
        Counted b = new Counted();
        List<Contender> pair = CallByCall.contenders("a", a, a.runs::incrementAndGet, 64, "b", b,
                b.runs::incrementAndGet, 0);
        RoundSpec spec = RoundSpec.timed(5);
        for (int round = 0; round < 4; round++) {
            // the runner's order: A B in even rounds, B A in odd ones
            Contender first = pair.get(round % 2);
            Contender second = pair.get(1 - round % 2);
            long before = a.runs.get();
            Measurement firstFigure = first.round(spec);
            long measured = a.runs.get() - before;
            long afterFirst = a.runs.get() + b.runs.get();
            Measurement secondFigure = second.round(spec);

            assertThat(measured).isPositive();
            assertThat(a.runs.get() + b.runs.get()).as("the second side of a round runs nothing").isEqualTo(afterFirst);
            assertThat(a.runs.get()).as("both alternate call by call").isEqualTo(b.runs.get());
            assertThat(firstFigure.histogram().count()).isEqualTo(measured);
            assertThat(secondFigure.histogram().count()).isEqualTo(measured);
            assertThat(firstFigure.ops()).isEqualTo(secondFigure.ops()).isEqualTo(measured);
        }
        assertThat(pair.get(0).round(spec).bytesPerOp()).isEqualTo(64);
        assertThat(pair.get(1).round(spec).bytesPerOp()).isZero();
        assertThat(pair.get(1).round(spec).note()).isEqualTo("call by call with a");
    }

    @Test
    void shouldNameTheSideWhoseOperationFailedWhicheverSideMeasures() {
        Counted a = new Counted();
        Counted b = new Counted();
        List<Contender> pair = CallByCall.contenders("reference", a, a.runs::incrementAndGet, 0, "tiny call", b,
                () -> {
                    throw new IllegalStateException("came back wrong");
                }, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pair.get(0).round(RoundSpec.timed(5)))
                .hasMessageStartingWith("tiny call failed: java.lang.IllegalStateException: came back wrong");
    }
}
