package dev.knitting.bench;

import dev.knitting.Pool;
import dev.knitting.shm.ProcessSharedBuffer;
import dev.knitting.unsafe.BufferReference;

import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * G8 and the size sweep: one pool echoing a payload of a given size back to the caller, either
 * copied ({@code byte[]}), shared ({@link ProcessSharedBuffer}: only a descriptor crosses) or moved
 * ({@link BufferReference}), next to the tiny call through the same pool as the floor.
 */
final class ZeroCopySide implements Side {
    /** What crosses the lane. */
    enum Carrier { TINY_CALL, BYTES, SHARED_BUFFER, REFERENCE }

    private final SharedPool shared;
    private final Carrier carrier;
    private final int size;
    private Pool pool;
    private ProcessSharedBuffer buffer;
    private BufferReference reference;
    private byte[] bytes;

    ZeroCopySide(SharedPool shared, Carrier carrier, int size) {
        this.shared = shared;
        this.carrier = carrier;
        this.size = size;
    }

    /** @param shared the pool, shared with the scenario's other contenders (see {@link SharedPool}) */
    static Contender contender(String name, SharedPool shared, Carrier carrier, int size) {
        return Side.contender(name, new ZeroCopySide(shared, carrier, size), ZeroCopySide::round);
    }

    /**
     * @return G8's pair through one pool: {@code carrier} of {@code size} bytes and a tiny call,
     *     measured call by call ({@link CallByCall})
     */
    static List<Contender> callByCall(String carrierName, String tinyName, SharedPool shared, Carrier carrier,
            int size) {
        ZeroCopySide big = new ZeroCopySide(shared, carrier, size);
        ZeroCopySide tiny = new ZeroCopySide(shared, Carrier.TINY_CALL, 0);
        return CallByCall.contenders(carrierName, big, big::once, size, tinyName, tiny, tiny::once, 0);
    }

    @Override
    public void open() {
        pool = shared.acquire();
        switch (carrier) {
            case SHARED_BUFFER -> {
                buffer = ProcessSharedBuffer.create(size);
                buffer.segment().fill((byte) 1);
            }
            case REFERENCE -> {
                reference = BufferReference.allocate(size);
                reference.segment().fill((byte) 1);
            }
            case BYTES -> bytes = Scenarios.payload(size);
            case TINY_CALL -> { }
        }
        once();
    }

    /** One round trip, checked. */
    private void once() {
        switch (carrier) {
            case TINY_CALL -> {
                Integer r = pool.call(BenchTasks.INC, 1).join();
                check(r == 2, r);
            }
            case BYTES -> {
                byte[] r = pool.call(BenchTasks.ECHO, bytes).join();
                check(r.length == size && r[size - 1] == bytes[size - 1], r.length);
            }
            case SHARED_BUFFER -> {
                try (ProcessSharedBuffer back = pool.call(BenchTasks.ECHO_SHARED, buffer).join()) {
                    check(back.byteSize() == size
                            && back.segment().get(ValueLayout.JAVA_BYTE, size - 1) == 1, back.byteSize());
                }
            }
            default -> {
                reference = pool.call(BenchTasks.ECHO_REFERENCE, reference).join();
                check(reference.byteSize() == size, reference.byteSize());
            }
        }
    }

    private void check(boolean ok, Object got) {
        if (!ok) {
            throw new IllegalStateException(carrier + " round trip of " + size + " bytes came back wrong: " + got);
        }
    }

    /** Back-to-back round trips, each timed. */
    Measurement round(RoundSpec spec) throws Exception {
        return TinyCallLoops.backToBack(spec, this::once, carrier == Carrier.TINY_CALL ? 0 : size, carrier.name());
    }

    @Override
    public void close() {
        if (pool != null) {
            pool = null;
            shared.release();
        }
        if (buffer != null) {
            buffer.close();
        }
        if (reference != null) {
            reference.release();
        }
    }

    @Override
    public void abandon() {
        shared.abandon();
    }
}
