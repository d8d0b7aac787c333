package dev.knitting.internal.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.ProtocolException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool's table of references in transit: every block put is claimed once by its own token,
 * address and size, also when more are in flight than the table has slots (the overflow map);
 * a wrong token, address or size, or a second claim, claims nothing; a reclaim races a claim and
 * exactly one wins; shutdown frees what nobody claimed.
 */
@Timeout(value = 60, threadMode = SEPARATE_THREAD)
class TransitTest {
    private final Transit transit = new Transit();

    @Test
    void tenThousandBlocksInFlightAreEachClaimedOnceByTheirOwnToken() {
        List<NativeBlock> blocks = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            NativeBlock block = NativeBlock.allocate(8);
            blocks.add(block);
            tokens.add(transit.put(block));
        }
        assertThat(new HashSet<>(tokens)).hasSize(10_000).doesNotContain(0L);
        assertThat(transit.size()).isEqualTo(10_000);
        for (int i = 0; i < blocks.size(); i++) {
            NativeBlock block = blocks.get(i);
            assertThat(transit.claim(tokens.get(i), block.address(), 8)).isSameAs(block);
            block.free();
        }
        assertThat(transit.size()).isZero();
    }

    @Test
    void aDescriptorThatDoesNotMatchItsBlockClaimsNothingAndTheBlockStaysClaimable() {
        NativeBlock block = NativeBlock.allocate(64);
        long token = transit.put(block);

        assertThatThrownBy(() -> transit.claim(token ^ (1L << 40), block.address(), 64))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("names no reference in transit");
        assertThatThrownBy(() -> transit.claim(token + 1, block.address(), 64))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> transit.claim(token, block.address() + 8, 64))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> transit.claim(token, block.address(), 65))
                .isInstanceOf(ProtocolException.class);
        assertThat(transit.reclaim(~token)).isNull();

        assertThat(transit.claim(token, block.address(), 64)).isSameAs(block);
        assertThatThrownBy(() -> transit.claim(token, block.address(), 64))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("delivered already");
        assertThat(transit.reclaim(token)).isNull();
        block.free();
    }

    @Test
    void aClaimAndAReclaimOfTheSameBlockHaveExactlyOneWinner() throws Exception {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 2_000; round++) {
                NativeBlock block = NativeBlock.allocate(16);
                long token = transit.put(block);
                Future<Boolean> claimed = two.submit(() -> {
                    try {
                        return transit.claim(token, block.address(), 16) == block;
                    } catch (ProtocolException e) {
                        return false;
                    }
                });
                Future<Boolean> reclaimed = two.submit(() -> transit.reclaim(token) == block);
                assertThat(claimed.get() ^ reclaimed.get()).as("round %d: one winner", round).isTrue();
                block.free();
            }
        } finally {
            two.shutdownNow();
        }
        assertThat(transit.size()).isZero();
    }

    @Test
    void freeAllFreesEveryBlockStillInTransitAlsoThoseInTheOverflowMap() {
        Set<NativeBlock> blocks = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            NativeBlock block = NativeBlock.allocate(8);
            blocks.add(block);
            transit.put(block);
        }
        transit.freeAll();
        assertThat(transit.size()).isZero();
        assertThat(blocks).allMatch(NativeBlock::isFreed);
    }
}
