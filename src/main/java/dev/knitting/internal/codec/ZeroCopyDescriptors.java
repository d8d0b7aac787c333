package dev.knitting.internal.codec;

import dev.knitting.PayloadException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.share.BufferReferenceAccess;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.share.NativeBlock;
import dev.knitting.internal.share.SharedBufferAccess;
import dev.knitting.internal.share.SharedBufferMemory;
import dev.knitting.internal.share.Token;
import dev.knitting.internal.share.Transfers;
import dev.knitting.internal.share.Transit;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

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

    private ZeroCopyDescriptors() {
    }

    /**
     * Pins the buffer's memory until the send is over and writes its descriptor. To a peer that
     * {@link Peer#handsOverDescriptors() takes descriptors over a channel}, the descriptor's fd field
     * holds the negated handoff id under which {@link Transfers#deliver} sends the descriptor;
     * otherwise it holds this process's descriptor number, for a peer to open in {@code /proc}.
     */
    static void writeSharedBuffer(EncodeBuffer out, ProcessSharedBuffer buffer, Peer peer, Transfers transfers) {
        SharedBufferAccess access = SharedBufferAccess.get();
        SharedBufferMemory memory = access.memory(buffer);
        if (access.isClosed(buffer) || !memory.isOpen()) {
            throw new PayloadException("ProcessSharedBuffer cannot be sent: it is closed");
        }
        int handoff = peer.handsOverDescriptors() ? DescriptorChannel.nextHandoff() : 0;
        try {
            transfers.pin(memory, handoff);
        } catch (IllegalStateException closed) {
            throw new PayloadException("ProcessSharedBuffer cannot be sent: it is closed", closed);
        }
        out.tag(Tags.SHARED_BUFFER);
        out.raw64(SharedBufferMemory.pid());
        out.raw32(handoff > 0 ? -handoff : memory.fd());
        out.raw64(memory.token().high());
        out.raw64(memory.token().low());
        out.raw64(memory.length());
        out.raw64(access.offset(buffer));
        out.raw64(buffer.byteSize());
        out.writeNullableString(memory.name());
    }

    /** Moves the reference into the pool's transit and writes its claim. */
    static void writeReference(EncodeBuffer out, BufferReference reference, Peer peer, Transfers transfers) {
        if (peer.isOtherProcess()) {
            throw new PayloadException("BufferReference cannot be sent to a process worker: it is memory of this"
                    + " process's heap, which another process cannot map; use a ProcessSharedBuffer instead");
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

    /**
     * Reads a shared-buffer descriptor (the tag at {@code tagAt} already read) and resolves it to an
     * owning handle.
     *
     * @throws ProtocolException if the descriptor is malformed or names no such buffer
     */
    static ProcessSharedBuffer readSharedBuffer(DecodeCursor cur, long tagAt, Peer peer) {
        long pid = cur.i64();
        int fd = cur.i32();
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
        SharedBufferMemory memory;
        if (fd < 0 && peer.isOtherProcess()) {
            memory = SharedBufferMemory.resolveHandedOver(handedOver(fd, tagAt, peer), token, bufferLength, name);
        } else {
            memory = SharedBufferMemory.resolve(pid, fd, token, bufferLength, name, peer.isOtherProcess(),
                    peer.isProcessWorker());
        }
        return SharedBufferAccess.get().handle(memory, offset, length, true);
    }

    /**
     * @return the descriptor the host handed over under the handoff id {@code -fd}, now the caller's
     * @throws ProtocolException if handoffs cannot come from this peer or none was handed over
     */
    private static int handedOver(int fd, long tagAt, Peer peer) {
        DescriptorChannel channel = DescriptorChannel.fromHost();
        if (peer.isProcessWorker() || channel == null || fd == Integer.MIN_VALUE) {
            throw new ProtocolException("SHARED_BUFFER at offset " + tagAt + " names handoff " + fd + ", but "
                    + (peer.isProcessWorker() ? "a process worker hands no descriptors to its host this way"
                    : channel == null ? "this process has no descriptor channel from its host" : "that is no handoff id"));
        }
        return channel.take(-fd);
    }

    /**
     * Reads a reference claim (the tag already read) and claims the block from the pool's transit.
     *
     * @throws ProtocolException if references cannot come from this peer, or the claim is forged
     */
    static BufferReference readReference(DecodeCursor cur, Peer peer) {
        long token = cur.i64();
        long address = cur.i64();
        long size = cur.i64();
        if (peer.isOtherProcess()) {
            throw new ProtocolException("a BufferReference descriptor arrived from another process, which it cannot"
                    + " come from: references never cross processes");
        }
        Transit transit = peer.transit();
        if (transit == null) {
            throw new ProtocolException("a BufferReference descriptor arrived outside a pool's calls");
        }
        return BufferReferenceAccess.get().adopt(transit.claim(token, address, size));
    }
}
