package dev.knitting.internal.lane;

import dev.knitting.internal.os.Waiter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A futex-style doorbell in shared memory ({@link DoorbellDescriptor layout}): a sequence word
 * sleepers wait on and a count of sleepers, so that ringing costs a system call only when someone
 * actually sleeps.
 *
 * <h2>Why no wake-up is lost (Dekker ordering)</h2>
 * The publisher does {@code store data; full fence; read waiters} and, only if {@code waiters > 0},
 * {@code s = sleepSequence; if CAS(sequence, s, s + 1) wake(sequence)}. The sleeper does
 * {@code waiters += 1 (atomic); full fence; s = read sequence; sleepSequence = max(sleepSequence, s);
 * full fence; check ready; wait while sequence == s; waiters -= 1}.
 * <ul>
 *   <li>If the publisher reads {@code waiters == 0}, its fence came before the sleeper's increment
 *       in the total order of fenced operations, so the sleeper's later {@code ready} check sees
 *       the data and it does not sleep.
 *   <li>If the publisher reads {@code waiters > 0}, it bumps the sequence. Either the sleeper read
 *       the sequence before the bump, and then the kernel's compare in {@code wait} fails or the
 *       sleeper is already queued and gets woken; or it read the bumped value, which was written
 *       after the data, so its {@code ready} check already sees the data.
 *   <li>The CAS from {@code sleepSequence} makes only the first ring after a sleeper registered pay
 *       the system call: rings that come while the woken sleeper is still on its way out find the
 *       sequence already past {@code sleepSequence} and skip the wake. If the CAS fails because a
 *       sleeper has read the sequence but not yet published it in {@code sleepSequence}, that
 *       sleeper's fenced {@code ready} check comes after the publisher's fence and sees the data.
 * </ul>
 * Spurious wake-ups are fine: {@link #sleep} returns the ready state and callers loop. A corrupt
 * peer can only make rings cost a wake that is not needed or make a sleep last until its timeout,
 * which callers bound.
 */
public final class Doorbell {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior(); // a mistyped call site fails, never adapts per call

    private final MemorySegment segment;
    private final long sequenceOffset;
    private final long waitersOffset;
    private final long sleepSequenceOffset;
    private final MemorySegment sequenceWord;
    private final Waiter waiter;

    /**
     * @param segment native memory holding the doorbell
     * @param offset where its {@link DoorbellDescriptor} layout starts, 4-byte aligned
     * @param waiter how to sleep on and wake the sequence word
     */
    public Doorbell(MemorySegment segment, long offset, Waiter waiter) {
        this.segment = Objects.requireNonNull(segment, "segment");
        this.waiter = Objects.requireNonNull(waiter, "waiter");
        if (offset < 0 || offset > segment.byteSize() - DoorbellDescriptor.LENGTH
                || ((segment.address() + offset) & (DoorbellDescriptor.ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("offset=" + offset + " must be 4-byte aligned and leave "
                    + DoorbellDescriptor.LENGTH + " bytes in a segment of " + segment.byteSize());
        }
        this.sequenceOffset = offset + DoorbellDescriptor.SEQUENCE_OFFSET;
        this.waitersOffset = offset + DoorbellDescriptor.WAITERS_OFFSET;
        this.sleepSequenceOffset = offset + DoorbellDescriptor.SLEEP_SEQUENCE_OFFSET;
        this.sequenceWord = segment.asSlice(sequenceOffset, Integer.BYTES);
    }

    /**
     * Wakes every sleeper, paying a futex wake only when one is registered. Call after the data the
     * sleepers wait for has been stored (a release store is enough: this method issues the full
     * fence the protocol needs).
     *
     * @return whether this ring paid the wake (someone was asleep and no earlier ring woke them)
     */
    public boolean ring() {
        VarHandle.fullFence();
        if ((int) INT.getVolatile(segment, waitersOffset) > 0) {
            int slept = (int) INT.getVolatile(segment, sleepSequenceOffset);
            if (INT.compareAndSet(segment, sequenceOffset, slept, slept + 1)) {
                waiter.wake(sequenceWord, Integer.MAX_VALUE);
                return true;
            }
        }
        return false;
    }

    /**
     * One park attempt: registers as a waiter, reads the sequence, re-checks {@code ready}, sleeps
     * on the sequence for at most {@code timeoutNanos} unless it changed, unregisters.
     *
     * @param ready the condition the caller waits for
     * @param timeoutNanos longest sleep; non-positive means only re-check
     * @return {@code ready} after the attempt
     */
    public boolean sleep(BooleanSupplier ready, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return ready.getAsBoolean();
        }
        int sleepers = (int) INT.getAndAdd(segment, waitersOffset, 1);
        assert sleepers >= 0;
        try {
            VarHandle.fullFence();
            int sequence = (int) INT.getVolatile(segment, sequenceOffset);
            publishSleepSequence(sequence);
            VarHandle.fullFence();
            if (ready.getAsBoolean()) {
                return true;
            }
            waiter.await(sequenceWord, sequence, timeoutNanos);
        } finally {
            int left = (int) INT.getAndAdd(segment, waitersOffset, -1);
            assert left > 0;
        }
        return ready.getAsBoolean();
    }

    /** Moves {@code sleepSequence} forward to {@code sequence} (never back: a late sleeper's stale read loses). */
    private void publishSleepSequence(int sequence) {
        while (true) {
            int current = (int) INT.getVolatile(segment, sleepSequenceOffset);
            if (sequence - current <= 0 || INT.compareAndSet(segment, sleepSequenceOffset, current, sequence)) {
                return;
            }
        }
    }

    /** @return sleepers registered now (diagnostics and tests) */
    public int waiters() {
        return (int) INT.getVolatile(segment, waitersOffset);
    }

    /** @return the current sequence (diagnostics and tests) */
    public int sequence() {
        return (int) INT.getVolatile(segment, sequenceOffset);
    }
}
