package dev.knitting.internal.share;

import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.os.MappedRegion;
import dev.knitting.internal.os.NativeCallException;
import dev.knitting.internal.os.NativeProcess;
import dev.knitting.internal.os.SharedMemory;
import dev.knitting.internal.os.SharedMemoryMismatchException;
import dev.knitting.internal.os.UnixSockets;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This process's mapping of one shared buffer (layout: {@link SharedBufferHeader}), counted:
 * every owning {@code ProcessSharedBuffer} handle holds one reference, and so does every call
 * that carries a descriptor of it until the call settles. The last release unmaps it and closes
 * its descriptor; a {@link Cleaner} does the same for mappings nobody can reach any more.
 *
 * <p>Each mapping is registered by token ({@link SharedBufferRegistry}), so a descriptor of a
 * buffer this process already maps (its own, coming back, or a peer's it received before) resolves
 * to the same mapping instead of a new one.
 */
public final class SharedBufferMemory {
    /** Name of anonymous buffers in {@code /proc/<pid>/fd}; receivers check it before opening. */
    public static final String DEBUG_NAME = "knitting-psb";
    private static final String MEMFD_LINK_PREFIX = "/memfd:" + DEBUG_NAME;
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "knitting-buffer-cleaner");
        t.setDaemon(true);
        return t;
    });

    private final MappedRegion region;
    private final Token token;
    private final MemorySegment data;
    private final String name;
    /** Live references; 0 once released (unmapped, or kept by {@link MappingCache}). */
    private final AtomicInteger references = new AtomicInteger(1);
    /** A peer's buffer in a process that may keep unused mappings for reuse ({@link MappingCache}). */
    private final boolean reusable;
    private final Cleaner.Cleanable cleanable;

    private SharedBufferMemory(MappedRegion region, Token token, String name, boolean reusable) {
        this.region = region;
        this.token = token;
        this.name = name;
        this.reusable = reusable;
        this.data = region.segment().asSlice(SharedBufferHeader.DATA_OFFSET);
        SharedBufferHeader.attach(region.segment());
        this.cleanable = CLEANER.register(this, new Unmap(region, token, references));
        SharedBufferRegistry.register(this);
    }

    /** @return a new anonymous buffer (memfd), with one reference for its creator */
    public static SharedBufferMemory createAnonymous(long length) {
        checkLength(length);
        Token token = Token.random();
        MappedRegion region = SharedMemory.createAnonymous(DEBUG_NAME, SharedBufferHeader.DATA_OFFSET + length);
        SharedBufferHeader.write(region.segment(), length, token);
        return new SharedBufferMemory(region, token, null, false);
    }

    /** @return a new named buffer, with one reference for its creator */
    public static SharedBufferMemory createNamed(String name, long length) {
        checkLength(length);
        Token token = Token.random();
        MappedRegion region = SharedMemory.createNamed(name, SharedBufferHeader.DATA_OFFSET + length);
        SharedBufferHeader.write(region.segment(), length, token);
        return new SharedBufferMemory(region, token, name, false);
    }

    /** @return this process's mapping of an existing named buffer, with one reference for the caller */
    public static SharedBufferMemory openNamed(String name) {
        MappedRegion region = SharedMemory.openNamed(name);
        try {
            if (!SharedBufferHeader.valid(region.segment())) {
                throw new KnittingException("shared memory \"" + name + "\" is not a ProcessSharedBuffer (no valid"
                        + " header; was it created by ProcessSharedBuffer.create(name, size)?)");
            }
            Token token = SharedBufferHeader.token(region.segment());
            SharedBufferMemory known = SharedBufferRegistry.retain(token);
            if (known != null) {
                region.close();
                return known;
            }
            return new SharedBufferMemory(region, token, name, false);
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /**
     * Resolves a descriptor that arrived in a payload to a mapping in this process, with one
     * reference for the caller. A descriptor of a buffer this process maps already (its own, coming
     * back) resolves to that mapping. Any other is accepted only from a peer process and is checked
     * before anything is mapped: the memory it names must be a buffer (the memfd
     * {@link #DEBUG_NAME}, or the named object), of exactly the described size, whose header holds
     * the described token; a memfd must be sealed against shrinking.
     *
     * <p>From a process worker ({@code peerIsWorker}), named memory is refused: it cannot be
     * sealed, so the worker could truncate it under this process's mapping, and the next access
     * here would fault ({@code SIGBUS}). A process worker reads its host's named buffers.
     *
     * @param peerIsWorker whether the peer is a process worker this process must not trust (false
     *     in a process worker, whose peer is its host)
     * @throws ProtocolException if the descriptor does not name such a buffer (forged, closed, or
     *     memory the peer could shrink)
     */
    public static SharedBufferMemory resolve(long pid, int fd, Token token, long length, String name,
            boolean peerIsOtherProcess, boolean peerIsWorker) {
        SharedBufferMemory known = SharedBufferRegistry.retain(token);
        if (known != null) {
            if (known.length() != length) {
                known.release();
                throw new ProtocolException("ProcessSharedBuffer descriptor says " + length + " bytes, the buffer with"
                        + " its token has " + known.length());
            }
            return known;
        }
        if (pid == pid()) {
            throw new ProtocolException("ProcessSharedBuffer descriptor names no live buffer of this process (forged,"
                    + " or closed by its owner before the call was decoded)");
        }
        if (fd < 0) {
            throw new ProtocolException("ProcessSharedBuffer descriptor of process " + pid + " names handoff " + fd
                    + ", which only a host sends to its process worker (forged descriptor)");
        }
        if (!peerIsOtherProcess) {
            throw new ProtocolException("ProcessSharedBuffer descriptor names process " + pid
                    + ", but this lane's peer is this process (forged descriptor)");
        }
        if (name != null && peerIsWorker) {
            throw new ProtocolException("ProcessSharedBuffer \"" + name + "\" from a process worker is refused:"
                    + " named shared memory cannot be sealed, so the worker could truncate it under this process's"
                    + " mapping; return an anonymous buffer (ProcessSharedBuffer.create(size)), or create the named"
                    + " buffer in the host and hand it to the task: name=" + name);
        }
        Path path = Path.of("/proc/" + pid + "/fd/" + fd);
        boolean byName = name != null && !Files.isSymbolicLink(path); // another pid namespace: by name
        return new SharedBufferMemory(openPeerMemory(byName ? null : path, token, length, name,
                "pid " + pid + ", fd " + fd), token, name, MappingCache.enabled());
    }

    /**
     * Resolves a descriptor whose memory its host handed over on the descriptor channel
     * ({@link DescriptorChannel}), with one reference for the caller: a buffer this process maps
     * already resolves to that mapping; any other is checked exactly as in {@link #resolve} before
     * anything is mapped. {@code received} is closed either way.
     *
     * @param received the descriptor taken from the channel, now this method's
     * @throws ProtocolException if it is not such a buffer
     */
    public static SharedBufferMemory resolveHandedOver(int received, Token token, long length, String name) {
        try {
            SharedBufferMemory known = SharedBufferRegistry.retain(token);
            if (known != null) {
                if (known.length() != length) {
                    known.release();
                    throw new ProtocolException("ProcessSharedBuffer descriptor says " + length + " bytes, the buffer"
                            + " with its token has " + known.length());
                }
                return known;
            }
            return new SharedBufferMemory(openPeerMemory(Path.of("/proc/self/fd/" + received), token, length, name,
                    "handed-over descriptor"), token, name, MappingCache.enabled());
        } finally {
            UnixSockets.close(received);
        }
    }

    /**
     * Opens the peer's memory once and checks the opened descriptor ({@link SharedMemory#openChecked}).
     * The link of the peer's descriptor is looked at first only to open nothing but shared memory
     * (a forged fd could name a device); what counts is the check of the descriptor opened.
     *
     * @param path what to open, null to open {@code name}
     */
    private static MappedRegion openPeerMemory(Path path, Token token, long length, String name, String what) {
        try (Arena arena = Arena.ofConfined()) {
            if (path != null) {
                checkLink(path, name);
            }
            return SharedMemory.openChecked(path, name, SharedBufferHeader.DATA_OFFSET + length,
                    SharedBufferHeader.expected(arena, length, token), DEBUG_NAME);
        } catch (SharedMemoryMismatchException | NativeCallException | IllegalArgumentException e) {
            throw new ProtocolException("ProcessSharedBuffer descriptor (" + what
                    + (name == null ? "" : ", name \"" + name + "\"") + ") does not name a live buffer of that"
                    + " size and token that its owner cannot shrink: " + e.getMessage(), e);
        }
    }

    /** Refuses to open anything whose link is not a buffer's memory. */
    private static void checkLink(Path path, String name) {
        String target;
        try {
            target = Files.readSymbolicLink(path).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new ProtocolException("ProcessSharedBuffer descriptor names " + path + ", which cannot be read: " + e, e);
        }
        if (!(name == null ? target.startsWith(MEMFD_LINK_PREFIX)
                : target.equals("/dev/shm/" + name) || target.equals("/dev/shm/" + name + " (deleted)"))) {
            throw new ProtocolException("ProcessSharedBuffer descriptor names " + path + ", which is " + target
                    + ", not a ProcessSharedBuffer");
        }
    }

    private static void checkLength(long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("ProcessSharedBuffer size must be positive: size=" + length);
        }
        if (length > Long.MAX_VALUE - SharedBufferHeader.DATA_OFFSET) {
            throw new IllegalArgumentException("ProcessSharedBuffer size is too large: size=" + length);
        }
    }

    /** Adds a reference. @throws IllegalStateException if the mapping is gone already */
    public void retain() {
        if (!tryRetain()) {
            throw new IllegalStateException("ProcessSharedBuffer is closed");
        }
    }

    /** @return whether a reference was added (false once the mapping is gone) */
    boolean tryRetain() {
        int n;
        do {
            n = references.get();
            if (n <= 0) {
                return false;
            }
        } while (!references.compareAndSet(n, n + 1));
        return true;
    }

    /**
     * Drops a reference; the last one unmaps the memory and closes its descriptor, unless this is a
     * peer's buffer (or one its host asked to keep) that {@link MappingCache} keeps mapped for its next call.
     */
    public void release() {
        int n = references.decrementAndGet();
        if (n == 0) {
            SharedBufferHeader.detach(region.segment());
            if (!((reusable || MappingCache.promised(this)) && MappingCache.keep(this))) {
                cleanable.clean();
            }
        } else if (n < 0) {
            references.incrementAndGet();
            throw new IllegalStateException("ProcessSharedBuffer released more often than retained");
        }
    }

    /** @return the buffer's bytes (after the header) */
    public MemorySegment data() {
        return data;
    }

    public long length() {
        return data.byteSize();
    }

    public Token token() {
        return token;
    }

    /** @return the shared-memory name, null for anonymous buffers */
    public String name() {
        return name;
    }

    /** @return this process's descriptor of the memory, valid while the mapping is */
    public int fd() {
        return region.fd();
    }

    /** @return this process's pid, which descriptors of this mapping carry */
    public static long pid() {
        return Pid.VALUE;
    }

    MappedRegion region() {
        return region;
    }

    /** Takes a kept mapping back into use (see {@link MappingCache#revive}). */
    void revive() {
        SharedBufferHeader.attach(region.segment());
        references.set(1);
    }

    /** @return whether no process uses the buffer any more (a kept mapping may go) */
    boolean unusedEverywhere() {
        return SharedBufferHeader.attached(region.segment()) <= 0;
    }

    /** Unmaps a kept mapping. */
    void unmap() {
        cleanable.clean();
    }

    public boolean isOpen() {
        return region.isOpen();
    }

    @Override
    public String toString() {
        return "SharedBufferMemory[" + (name == null ? "anonymous" : "name=" + name) + ", length=" + length()
                + ", open=" + isOpen() + "]";
    }

    /** Runs once: on the last release, or when the mapping became unreachable (then still counted). */
    private record Unmap(MappedRegion region, Token token, AtomicInteger references) implements Runnable {
        @Override
        public void run() {
            SharedBufferRegistry.unregister(token, region);
            if (references.getAndSet(0) > 0) {
                SharedBufferHeader.detach(region.segment());
            }
            region.close();
        }
    }

    private static final class Pid {
        static final long VALUE = NativeProcess.pid();
    }
}
