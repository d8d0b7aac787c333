package dev.knitting.internal.host;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Encoders or decoders for whichever thread calls into the pool, without one per virtual thread.
 *
 * <p>A platform thread keeps its own instance for good (a thread-local: no atomics on the hot
 * path). A virtual thread would get a fresh instance, buffers included, in every thread-local, and
 * servers start one virtual thread per request; so virtual threads {@link #take} an instance from a
 * small shared stock and {@link #giveBack} it when done, and the stock holds at most a few per
 * carrier. A virtual thread that finds the stock empty makes a new instance, which goes into the
 * stock afterwards if there is room.
 *
 * <p>Every {@link #take} is paired with a {@link #giveBack} of the same instance on the same thread
 * (in a {@code finally}); a nested pair on one platform thread shares that thread's instance, as a
 * thread-local always did.
 *
 * @param <T> the codec type
 */
final class CodecStock<T> {
    /** Instances the stock keeps per available processor (carriers of virtual threads). */
    private static final int PER_PROCESSOR = 4;

    private final Supplier<T> factory;
    private final ThreadLocal<T> platform;
    private final AtomicReferenceArray<T> stock;

    CodecStock(Supplier<T> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.platform = ThreadLocal.withInitial(factory);
        this.stock = new AtomicReferenceArray<>(PER_PROCESSOR * Runtime.getRuntime().availableProcessors());
    }

    /** @return an instance only this thread uses until it {@linkplain #giveBack gives it back} */
    T take() {
        if (!Thread.currentThread().isVirtual()) {
            return platform.get();
        }
        for (int i = 0; i < stock.length(); i++) {
            T kept = stock.getPlain(i);
            if (kept != null && stock.compareAndExchange(i, kept, null) == kept) {
                return kept;
            }
        }
        return factory.get();
    }

    /** Ends this thread's use of {@code instance}, which {@link #take} returned. */
    void giveBack(T instance) {
        if (!Thread.currentThread().isVirtual()) {
            return;
        }
        for (int i = 0; i < stock.length(); i++) {
            if (stock.getPlain(i) == null && stock.compareAndExchange(i, null, instance) == null) {
                return;
            }
        }
        // the stock is full: this one goes to the garbage collector
    }
}
