package dev.knitting.internal.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.internal.os.SealedMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mappings a process keeps of references its peers own: a block is found by its key only for
 * the peer it was lent to, once; more blocks than the capacity can still be kept (a race of senders
 * past {@link ReferenceCache#hasRoom}) and are each found again; forgetting a block and dropping a
 * peer leave nothing of them behind.
 */
@Timeout(value = 60, threadMode = SEPARATE_THREAD)
class ReferenceCacheTest {
    private final Object peer = new Object();
    private final Object otherPeer = new Object();
    private final List<NativeBlock> blocks = new ArrayList<>();

    @BeforeAll
    static void whereMemfdsExist() {
        assumeThat(SealedMemory.available()).isTrue();
    }

    @AfterEach
    void freeEverything() {
        ReferenceCache.dropPeer(peer);
        ReferenceCache.dropPeer(otherPeer);
        blocks.forEach(NativeBlock::free);
    }

    private NativeBlock block() {
        NativeBlock block = NativeBlock.shareable(64);
        blocks.add(block);
        return block;
    }

    @Test
    void aKeptBlockIsTakenBackByItsKeyOnceAndOnlyByThePeerItWasLentTo() {
        NativeBlock block = block();
        assertThat(ReferenceCache.lend(block, peer)).isTrue();

        assertThat(ReferenceCache.takeBack(block.key(), otherPeer)).isNull();
        assertThat(ReferenceCache.takeBack(block.key() ^ 1, peer)).isNull();
        assertThat(ReferenceCache.takeBack(block.key(), peer)).isSameAs(block);
        assertThat(ReferenceCache.takeBack(block.key(), peer)).isNull();
        assertThat(ReferenceCache.isLent(block)).isFalse();
    }

    @Test
    void twiceTheCapacityOfBlocksAreKeptAndEachIsFoundAgain() {
        int before = ReferenceCache.size();
        List<NativeBlock> lent = new ArrayList<>();
        for (int i = 0; i < 2 * ReferenceCache.CAPACITY; i++) {
            NativeBlock block = block();
            assertThat(ReferenceCache.lend(block, i % 2 == 0 ? peer : otherPeer)).isTrue();
            lent.add(block);
        }
        assertThat(ReferenceCache.size()).isEqualTo(before + 2 * ReferenceCache.CAPACITY);
        for (int i = lent.size() - 1; i >= 0; i--) { // from the end: every removal moves another entry
            NativeBlock block = lent.get(i);
            assertThat(ReferenceCache.isLent(block)).isTrue();
            assertThat(ReferenceCache.takeBack(block.key(), i % 2 == 0 ? peer : otherPeer)).isSameAs(block);
        }
        assertThat(ReferenceCache.size()).isEqualTo(before);
    }

    @Test
    void forgettingABlockOrDroppingItsPeerLeavesNothingOfItAndKeepsTheOtherPeers() {
        NativeBlock first = block();
        NativeBlock second = block();
        NativeBlock third = block();
        assertThat(ReferenceCache.lend(first, peer)).isTrue();
        assertThat(ReferenceCache.lend(second, peer)).isTrue();
        assertThat(ReferenceCache.lend(third, otherPeer)).isTrue();

        ReferenceCache.forget(first);
        assertThat(ReferenceCache.isLent(first)).isFalse();
        assertThat(ReferenceCache.isLent(second)).isTrue();

        ReferenceCache.dropPeer(peer);
        assertThat(second.isFreed()).isTrue(); // its mapping here went with the peer
        assertThat(ReferenceCache.isLent(third)).isTrue();
        assertThat(ReferenceCache.takeBack(third.key(), otherPeer)).isSameAs(third);
    }
}
