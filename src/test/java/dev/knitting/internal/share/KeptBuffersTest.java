package dev.knitting.internal.share;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The host's record of the buffers one process worker keeps: when a send may go by slot alone. */
final class KeptBuffersTest {
    private final KeptBuffers kept = new KeptBuffers();
    private final List<SharedBufferMemory> buffers = new ArrayList<>();

    @AfterEach
    void releaseBuffers() {
        buffers.forEach(SharedBufferMemory::release);
    }

    private SharedBufferMemory buffer() {
        SharedBufferMemory memory = SharedBufferMemory.createAnonymous(64);
        buffers.add(memory);
        return memory;
    }

    @Test
    void shouldHandABufferOverUntilACallThatAskedToKeepItWasAnswered() {
        SharedBufferMemory memory = buffer();

        long first = kept.plan(memory);
        long second = kept.plan(memory);
        assertThat(KeptBufferWord.mode(first)).isEqualTo(KeptBufferWord.KEEP);
        assertThat(second).as("the same slot and generation, handed over again").isEqualTo(first);

        kept.ended(second, false);
        assertThat(KeptBufferWord.mode(kept.plan(memory))).as("an unanswered call confirms nothing")
                .isEqualTo(KeptBufferWord.KEEP);
        kept.ended(first, true);

        long bySlot = kept.plan(memory);
        assertThat(KeptBufferWord.mode(bySlot)).isEqualTo(KeptBufferWord.KEPT);
        assertThat(KeptBufferWord.slot(bySlot)).isEqualTo(KeptBufferWord.slot(first));
        assertThat(KeptBufferWord.generation(bySlot)).isEqualTo(KeptBufferWord.generation(first));
        assertThat(kept.confirmed()).isEqualTo(1);
    }

    @Test
    void shouldNeverReuseASlotThatACallInFlightNamesAndGiveTheReuseANewGeneration() {
        List<Long> words = new ArrayList<>();
        for (int i = 0; i < KeptBufferWord.SLOTS; i++) {
            words.add(kept.plan(buffer()));
        }
        assertThat(words).extracting(KeptBufferWord::slot).doesNotHaveDuplicates();

        assertThat(kept.plan(buffer())).as("every slot is in flight: plainly handed over")
                .isEqualTo(KeptBufferWord.NONE);

        kept.ended(words.get(5), true);
        long reuse = kept.plan(buffer());
        assertThat(KeptBufferWord.mode(reuse)).isEqualTo(KeptBufferWord.KEEP);
        assertThat(KeptBufferWord.slot(reuse)).isEqualTo(KeptBufferWord.slot(words.get(5)));
        assertThat(KeptBufferWord.generation(reuse)).isGreaterThan(KeptBufferWord.generation(words.get(5)));
    }

    @Test
    void shouldTakeTheSlotOfAClosedBufferFirst() {
        List<Long> words = new ArrayList<>();
        List<SharedBufferMemory> sent = new ArrayList<>();
        for (int i = 0; i < KeptBufferWord.SLOTS; i++) {
            SharedBufferMemory memory = SharedBufferMemory.createAnonymous(64);
            sent.add(memory);
            words.add(kept.plan(memory));
        }
        words.forEach(word -> kept.ended(word, true));
        sent.get(9).release(); // closed here: the worker lets its mapping go too
        for (int i = 0; i < KeptBufferWord.SLOTS; i++) {
            if (i != 9) {
                buffers.add(sent.get(i));
            }
        }

        long word = kept.plan(buffer());

        assertThat(KeptBufferWord.slot(word)).isEqualTo(KeptBufferWord.slot(words.get(9)));
        assertThat(kept.confirmed()).isEqualTo(KeptBufferWord.SLOTS - 1);
    }

    @Test
    void shouldRoundTripEveryFieldOfTheWordAndRefuseMalformedOnes() {
        long word = KeptBufferWord.of(KeptBufferWord.KEPT, KeptBufferWord.SLOTS - 1, 123_456_789L);

        assertThat(KeptBufferWord.valid(word)).isTrue();
        assertThat(KeptBufferWord.mode(word)).isEqualTo(KeptBufferWord.KEPT);
        assertThat(KeptBufferWord.slot(word)).isEqualTo(KeptBufferWord.SLOTS - 1);
        assertThat(KeptBufferWord.generation(word)).isEqualTo(123_456_789L);
        assertThat(KeptBufferWord.valid(KeptBufferWord.NONE)).isTrue();
        assertThat(KeptBufferWord.valid(3)).as("mode 3").isFalse();
        assertThat(KeptBufferWord.valid(KeptBufferWord.KEEP | 20 << 2 | 1 << 8)).as("slot 20").isFalse();
        assertThat(KeptBufferWord.valid(KeptBufferWord.KEPT)).as("generation 0").isFalse();
    }
}
