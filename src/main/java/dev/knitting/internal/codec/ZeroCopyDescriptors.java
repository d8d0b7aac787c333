package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.os.NativeCallException;
import dev.knitting.internal.os.NativeHeap;
import dev.knitting.internal.os.SealedMemory;
import dev.knitting.internal.os.SharedMemoryMismatchException;
import dev.knitting.internal.os.UnixSockets;
import dev.knitting.internal.share.BufferReferenceAccess;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.share.KeptBufferWord;
import dev.knitting.internal.share.MappingCache;
import dev.knitting.internal.share.NativeBlock;
import dev.knitting.internal.share.ReferenceCache;
import dev.knitting.internal.share.SharedBufferAccess;
import dev.knitting.internal.share.SharedBufferMemory;
import dev.knitting.internal.share.Token;
import dev.knitting.internal.share.Transfers;
import dev.knitting.internal.share.Transit;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Both directions of the two zero-copy descriptors ({@link Tags#SHARED_BUFFER},
 * {@link Tags#BUFFER_REFERENCE}), in one place: what a sender must hold while its descriptor
 * travels ({@link Transfers}), and what a receiver checks before it trusts one. The encoder and
 * decoder call in here after reading or writing the tag.
 */
final class ZeroCopyDescriptors {
    /**
     * Most {@link Tags#SHARED_BUFFER} descriptors one payload may carry. A peer process's buffer
     * costs the receiver an open descriptor and a mapping until the call is over; without a bound an
     * 8 MiB payload could name some 150,000 of them, past {@code vm.max_map_count} and the fd limit.
     * The decoder refuses the first descriptor past the bound before resolving it.
     */
    static final int MAX_SHARED_BUFFERS = 64;

    /** Flag of a reference descriptor between processes: the sender keeps its mapping ({@link ReferenceCache}). */
    private static final int KEEPS_MAPPING = 1;

    private ZeroCopyDescriptors() {
    }

    /**
     * Pins the buffer's memory until the send is over and writes its descriptor. To a peer that
     * {@link Peer#handsOverDescriptors() takes descriptors over a channel}, the descriptor's fd field
     * holds the negated handoff id under which {@link Transfers#deliver} sends the descriptor;
     * otherwise it holds this process's descriptor number, for a peer to open in {@code /proc}. The
     * kept-buffer word after it ({@link KeptBufferWord}) is {@code NONE} here; for a buffer this
     * process created or opened, {@link Transfers#deliver} fills it in per worker just before the
     * payload is published: by slot, with no descriptor handed over, if that worker keeps the buffer.
     */
    static void writeSharedBuffer(EncodeBuffer out, ProcessSharedBuffer buffer, Peer peer, Transfers transfers) {
        SharedBufferAccess access = SharedBufferAccess.get();
        SharedBufferMemory memory = access.memory(buffer);
        if (access.isClosed(buffer) || !memory.isOpen()) {
            throw new PayloadException("ProcessSharedBuffer cannot be sent: it is closed");
        }
        int handoff = peer.handsOverDescriptors() ? DescriptorChannel.nextHandoff() : 0;
        out.tag(Tags.SHARED_BUFFER);
        out.raw64(SharedBufferMemory.pid());
        out.raw32(handoff > 0 ? -handoff : memory.fd());
        int keptWordAt = out.position();
        int epoch = out.epoch();
        out.raw64(KeptBufferWord.NONE);
        try {
            transfers.pin(memory, handoff, handoff > 0 ? word -> out.patch64(epoch, keptWordAt, word) : null);
        } catch (IllegalStateException closed) {
            throw new PayloadException("ProcessSharedBuffer cannot be sent: it is closed", closed);
        }
        out.raw64(memory.token().high());
        out.raw64(memory.token().low());
        out.raw64(memory.length());
        out.raw64(access.offset(buffer));
        out.raw64(buffer.byteSize());
        out.writeNullableString(memory.name());
    }

    /**
     * Moves the reference and writes its claim. Within this process the block goes into the pool's
     * transit and the claim names it by token and address. To another process (a process worker, or
     * a worker's host) the memory must be a sealed memfd (a small heap block is copied into one here):
     * the claim names a handoff id in its address field (negated), under which {@link Transfers#deliver}
     * sends the memfd over the descriptor channel; the host also keeps the block in its transit until
     * the call is over, so the inline lane can claim it and shutdown frees it.
     */
    static void writeReference(EncodeBuffer out, BufferReference reference, Peer peer, Transfers transfers) {
        if (peer.isOtherProcess()) {
            writeHandedOverReference(out, reference, peer, transfers);
            return;
        }
        Transit transit = peer.transit();
        if (transit == null) {
            throw new PayloadException("BufferReference cannot be sent here: only calls of a pool move references");
        }
        NativeBlock block = BufferReferenceAccess.get().detach(reference);
        long token = transit.put(block);
        transfers.moved(reference, transit, token);
        out.tag(Tags.BUFFER_REFERENCE);
        out.raw64(token);
        out.raw64(block.address());
        out.raw64(block.size());
    }

    private static void writeHandedOverReference(EncodeBuffer out, BufferReference reference, Peer peer,
                                                 Transfers transfers) {
        boolean toWorker = peer.isProcessWorker();
        if (toWorker && peer.transit() == null) {
            throw new PayloadException("BufferReference cannot be sent here: only calls of a pool move references");
        }
        if (toWorker ? !peer.handsOverDescriptors() : DescriptorChannel.fromHost() == null) {
            throw new PayloadException("BufferReference cannot be sent to " + (toWorker ? "a process worker" : "the host")
                    + " here: there is no descriptor channel (" + DescriptorChannel.unavailableReason()
                    + "); use a ProcessSharedBuffer instead");
        }
        BufferReferenceAccess access = BufferReferenceAccess.get();
        NativeBlock original = access.detach(reference);
        NativeBlock sent;
        try {
            sent = original.isShareable() ? original : original.copyToShareable();
        } catch (RuntimeException e) {
            access.restore(reference);
            throw new PayloadException("BufferReference of " + original.size() + " bytes cannot be made shareable with"
                    + " another process: " + e.getMessage(), e);
        }
        int handoff = DescriptorChannel.nextHandoff();
        Transit transit = toWorker ? peer.transit() : null;
        long token = transit == null ? newToken() : transit.put(sent, -handoff);
        boolean keep = sent.key() != 0 && ReferenceCache.hasRoom();
        sent.offer(token);
        transfers.handedOver(reference, original, sent, transit, token, handoff, keep);
        out.tag(Tags.BUFFER_REFERENCE);
        out.raw64(token);
        out.raw64(-handoff);
        out.raw64(sent.size());
        out.raw64(sent.key());
        out.raw8(keep ? KEEPS_MAPPING : 0);
    }

    private static long newToken() {
        long token;
        do {
            token = ThreadLocalRandom.current().nextLong();
        } while (token == 0);
        return token;
    }

    /**
     * Reads a shared-buffer descriptor (the tag at {@code tagAt} already read) and resolves it to an
     * owning handle.
     *
     * @throws ProtocolException if the descriptor is malformed or names no such buffer
     */
    static ProcessSharedBuffer readSharedBuffer(DecodeCursor cur, long tagAt, Peer peer) {
        long pid = cur.i64();
        int fd = cur.i32();
        long keptWord = cur.i64();
        Token token = new Token(cur.i64(), cur.i64());
        long bufferLength = cur.i64();
        long offset = cur.i64();
        long length = cur.i64();
        String name = cur.nullableString();
        if (bufferLength <= 0 || offset < 0 || length < 0 || offset > bufferLength || length > bufferLength - offset) {
            throw new ProtocolException("SHARED_BUFFER at offset " + tagAt + " describes bytes [" + offset + ", " + offset
                    + " + " + length + ") of a buffer of " + bufferLength + " bytes");
        }
        if (name != null && (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0)) {
            throw new ProtocolException("SHARED_BUFFER at offset " + tagAt + " has the invalid name \"" + name + "\"");
        }
        boolean fromHost = fd < 0 && peer.isOtherProcess() && !peer.isProcessWorker(); // a process worker's host
        if (!KeptBufferWord.valid(keptWord) || keptWord != KeptBufferWord.NONE && !fromHost) {
            throw new ProtocolException("SHARED_BUFFER at offset " + tagAt + " has the kept-buffer word 0x"
                    + Long.toHexString(keptWord) + ", which " + (fromHost ? "is malformed"
                    : "only a host sends its process worker with a handed-over descriptor"));
        }
        SharedBufferMemory memory;
        if (KeptBufferWord.mode(keptWord) == KeptBufferWord.KEPT) {
            memory = MappingCache.promisedMapping(KeptBufferWord.slot(keptWord), KeptBufferWord.generation(keptWord),
                    token, bufferLength);
            if (memory == null) {
                throw new ProtocolException("SHARED_BUFFER at offset " + tagAt + " names kept-buffer slot "
                        + KeptBufferWord.slot(keptWord) + " (generation " + KeptBufferWord.generation(keptWord)
                        + "), which does not hold that buffer here (forged, or a host that lost track)");
            }
        } else if (fromHost) {
            memory = SharedBufferMemory.resolveHandedOver(handedOver(fd, tagAt), token, bufferLength, name);
            if (KeptBufferWord.mode(keptWord) == KeptBufferWord.KEEP) {
                MappingCache.promise(KeptBufferWord.slot(keptWord), KeptBufferWord.generation(keptWord), memory);
            }
        } else { // a handoff id here names a buffer of this process (the inline lane's), or nothing
            memory = SharedBufferMemory.resolve(pid, fd, token, bufferLength, name, peer.isOtherProcess(),
                    peer.isProcessWorker());
        }
        return SharedBufferAccess.get().handle(memory, offset, length, true);
    }

    /**
     * @return the descriptor the host handed over under the handoff id {@code -fd}, now the caller's
     * @throws ProtocolException if this process has no channel from a host, or nothing was handed over
     */
    private static int handedOver(int fd, long tagAt) {
        DescriptorChannel channel = DescriptorChannel.fromHost();
        if (channel == null || fd == Integer.MIN_VALUE) {
            throw new ProtocolException("SHARED_BUFFER at offset " + tagAt + " names handoff " + fd + ", but "
                    + (channel == null ? "this process has no descriptor channel from its host" : "that is no handoff id"));
        }
        return channel.take(-fd);
    }

    /**
     * Reads a reference claim (the tag already read) and claims the block: from the pool's transit
     * within this process (also the host's inline lane), else the memfd handed over on the descriptor
     * channel, checked before it is mapped. A reference from a process worker that the host does not
     * {@link Peer#trustsMemory() trust} is copied into fresh memory and the worker's memfd let go: the
     * worker may still map it and write on.
     *
     * @throws ProtocolException if references cannot come from this peer, or the claim is forged
     */
    static BufferReference readReference(DecodeCursor cur, Peer peer) {
        long token = cur.i64();
        long address = cur.i64();
        long size = cur.i64();
        BufferReferenceAccess access = BufferReferenceAccess.get();
        if (peer.isOtherProcess()) {
            long key = cur.i64();
            int flags = cur.u8();
            DescriptorChannel channel = peer.isProcessWorker() ? DescriptorChannel.answering() : DescriptorChannel.fromHost();
            if (channel == null && peer.isProcessWorker() && peer.transit() != null) {
                return access.adopt(peer.transit().claim(token, address, size)); // the host's own, on its inline lane
            }
            if (channel == null) {
                throw new ProtocolException("a BufferReference descriptor arrived from another process without a"
                        + " descriptor channel to bring its memory");
            }
            if (address >= 0 || address < -Integer.MAX_VALUE) {
                throw new ProtocolException("a BufferReference descriptor from another process names handoff " + address
                        + ", which is no handoff id");
            }
            if (size <= 0 || size > NativeBlock.MAX_SIZE || (flags & ~KEEPS_MAPPING) != 0) {
                throw new ProtocolException("a BufferReference descriptor from another process describes " + size
                        + " bytes with flags " + flags);
            }
            NativeBlock block = receive(channel, (int) -address, token, size, key);
            block.peerKeeps((flags & KEEPS_MAPPING) != 0 ? channel : null);
            return access.adopt(!peer.isProcessWorker() || peer.trustsMemory() ? block : copyOf(block));
        }
        Transit transit = peer.transit();
        if (transit == null) {
            throw new ProtocolException("a BufferReference descriptor arrived outside a pool's calls");
        }
        return access.adopt(transit.claim(token, address, size));
    }

    /**
     * @return the block the peer moved here: by key alone if this process lent it to that peer and
     *     keeps its mapping ({@link ReferenceCache}), else the memfd handed over under {@code handoff},
     *     checked before it is mapped
     * @throws ProtocolException if neither names such memory
     */
    private static NativeBlock receive(DescriptorChannel channel, int handoff, long token, long size, long key) {
        NativeBlock kept = key == 0 ? null : ReferenceCache.takeBack(key, channel);
        if (kept != null) {
            if (kept.size() != size || !kept.take(token)) {
                ReferenceCache.lend(kept, channel); // still the peer's: this descriptor moves nothing
                throw new ProtocolException("BufferReference descriptor (key " + Long.toHexString(key) + ", size "
                        + size + ") names memory lent to this peer, but " + (kept.size() != size
                        ? "of " + kept.size() + " bytes" : "not on its way here (a stale or replayed descriptor)"));
            }
            kept.owned();
            return kept;
        }
        int fd = channel.take(handoff); // a key of nothing lent to this peer finds no descriptor either
        SealedMemory.Block block;
        try {
            block = SealedMemory.mapReceived(fd, NativeBlock.mappedSize(size), NativeBlock.DEBUG_NAME);
        } catch (SharedMemoryMismatchException | NativeCallException e) {
            UnixSockets.close(fd);
            throw new ProtocolException("BufferReference descriptor (handoff " + handoff + ", size " + size
                    + ") does not name a reference's sealed memory: " + e.getMessage(), e);
        }
        NativeBlock received = NativeBlock.ofReceived(block, size, key);
        received.take(token); // a move its sender gave up on (the call ended) is this process's all the same
        received.owned();
        return received;
    }

    /** @return a copy of {@code received} in memory its sender never saw; {@code received} is freed */
    private static NativeBlock copyOf(NativeBlock received) {
        try {
            long size = received.size();
            NativeBlock copy = NativeBlock.allocateForCopy(size);
            MemorySegment.copy(NativeHeap.view(received.address(), size, Arena.global()), 0,
                    NativeHeap.view(copy.address(), size, Arena.global()), 0, size);
            return copy;
        } finally {
            received.free();
        }
    }
}
