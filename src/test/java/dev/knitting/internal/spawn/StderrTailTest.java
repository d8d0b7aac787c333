package dev.knitting.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StderrTailTest {
    @Test
    void shouldKeepTheLastLinesAndCountTheDropped() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            text.append("line ").append(i).append('\n');
        }
        StderrTail tail = StderrTail.start(stream(text.toString()), "w1", null, 5, 1024);
        tail.closed().get(30, TimeUnit.SECONDS);

        assertThat(tail.tail()).isEqualTo("(45 earlier lines dropped)\nline 45\nline 46\nline 47\nline 48\nline 49\n");
        assertThat(tail.lastLine()).isEqualTo("line 49");
    }

    @Test
    void shouldBoundTheCharactersKept() throws Exception {
        StderrTail tail = StderrTail.start(stream("aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n"), "w1", null, 100, 25);
        tail.closed().get(30, TimeUnit.SECONDS);

        assertThat(tail.tail()).isEqualTo("(1 earlier lines dropped)\nbbbbbbbbbb\ncccccccccc\n");
    }

    @Test
    void shouldForwardEachLinePrefixedWithTheWorkerName() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream forward = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StderrTail tail = StderrTail.start(stream("one\r\ntwo\nlast without newline"), "worker-2", forward, 10, 1024);
        tail.closed().get(30, TimeUnit.SECONDS);

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("[worker-2] one\n[worker-2] two\n[worker-2] last without newline\n".replace("\n",
                        System.lineSeparator()));
        assertThat(tail.tail()).isEqualTo("one\ntwo\nlast without newline\n");
    }

    @Test
    void shouldSplitALineThatNeverEnds() throws Exception {
        String endless = "x".repeat(StderrTail.MAX_LINE_CHARS * 3 + 10);
        StderrTail tail = StderrTail.start(stream(endless), "w1", null, 10, 1 << 20);
        tail.closed().get(30, TimeUnit.SECONDS);

        assertThat(tail.tail().split("\n")).hasSize(4).allSatisfy(
                line -> assertThat(line.length()).isLessThanOrEqualTo(StderrTail.MAX_LINE_CHARS));
        assertThat(tail.lastLine()).hasSize(10);
    }

    @Test
    void shouldRejectNonPositiveBounds() {
        assertThatThrownBy(() -> StderrTail.start(stream(""), "w", null, 0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLines=0");
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
