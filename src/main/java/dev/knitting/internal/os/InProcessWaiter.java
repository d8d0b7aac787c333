package dev.knitting.internal.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A futex emulated inside this JVM: the portable {@link Waiter} for platforms without a native
 * binding or when native access is off. Sleepers queue on a striped table keyed by the word's
 * address and park; {@link #wake} unparks them. An idle sleeper costs nothing: it is parked until
 * woken or timed out, with no periodic polling.
 *
 * <p>Why no wake-up is lost: a sleeper compares the word and enqueues itself under its stripe's
 * lock; a waker changes the word before calling {@code wake}, which takes the same lock. Either
 * the waker's critical section comes first, so the sleeper's comparison sees the new value, or
 * the sleeper's does, so the waker finds it queued.
 *
 * <p>Limits: words are matched by virtual address, so two mappings of the same memory at two
 * addresses are two words, and wakes from other processes never arrive ({@link #crossProcess()}
 * is false). A thread sleeps on one word at a time, so each thread reuses one queue node.
 */
final class InProcessWaiter implements Waiter {
    /** The instance {@link Waiter#inProcess()} and the fallback of {@link Platforms} share. */
    static final InProcessWaiter SHARED = new InProcessWaiter();
    private static final int STRIPE_BITS = 6;
    private static final int STRIPES = 1 << STRIPE_BITS;
    private static final VarHandle INT =
            ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

    /** One sleeping thread; linked into its stripe's list while queued. Guarded by the stripe. */
    private static final class Node {
        final Thread thread = Thread.currentThread();
        long address;
        Node prev;
        Node next;
        boolean queued;
        volatile boolean woken;
    }

    /** A lock and a doubly linked list of the nodes of every word hashing here. */
    private static final class Stripe {
        Node head;

        void add(Node node) {
            node.prev = null;
            node.next = head;
            if (head != null) {
                head.prev = node;
            }
            head = node;
            node.queued = true;
        }

        void remove(Node node) {
            if (node.prev != null) {
                node.prev.next = node.next;
            } else {
                head = node.next;
            }
            if (node.next != null) {
                node.next.prev = node.prev;
            }
            node.prev = null;
            node.next = null;
            node.queued = false;
        }
    }

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final ThreadLocal<Node> nodes = new ThreadLocal<>() {
        @Override
        protected Node initialValue() { // a class, not a lambda: no class spun at a cold JVM's first wait
            return new Node();
        }
    };

    InProcessWaiter() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    @Override
    public void await(MemorySegment word, int expected, long timeoutNanos) {
        checkWord(word);
        if (timeoutNanos <= 0) {
            return;
        }
        long address = word.address();
        Stripe stripe = stripeOf(address);
        Node node = nodes.get();
        synchronized (stripe) {
            if ((int) INT.getVolatile(word, 0L) != expected) {
                return;
            }
            node.address = address;
            node.woken = false;
            stripe.add(node);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (!node.woken) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    break; // an interrupt ends the sleep like a signal ends futex(2): a spurious return
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            if (!node.woken) { // a waker dequeues before it sets woken: only a timed-out node is queued
                synchronized (stripe) {
                    if (node.queued) {
                        stripe.remove(node);
                    }
                }
            }
        }
    }

    @Override
    public void wake(MemorySegment word, int count) {
        wakeCount(word, count);
    }

    /** {@link #wake} that says how many sleepers it woke, like {@code FUTEX_WAKE}. */
    int wakeCount(MemorySegment word, int count) {
        checkWord(word);
        long address = word.address();
        Stripe stripe = stripeOf(address);
        int woken = 0;
        synchronized (stripe) {
            Node node = stripe.head;
            while (node != null && woken < count) {
                Node next = node.next;
                if (node.address == address) {
                    stripe.remove(node);
                    node.woken = true;
                    LockSupport.unpark(node.thread);
                    woken++;
                }
                node = next;
            }
        }
        return woken;
    }

    @Override
    public boolean crossProcess() {
        return false;
    }

    private Stripe stripeOf(long address) {
        long h = (address >>> 2) * 0x9E3779B97F4A7C15L; // Fibonacci hashing: high bits are well mixed
        return stripes[(int) (h >>> (Long.SIZE - STRIPE_BITS))];
    }

    /** Addresses of heap segments are offsets, not identities: only native words can be keys. */
    private static void checkWord(MemorySegment word) {
        if (!word.isNative() || word.byteSize() < Integer.BYTES) {
            throw new IllegalArgumentException("waiter word must be a native segment of at least 4 bytes: native="
                    + word.isNative() + ", byteSize=" + word.byteSize());
        }
    }
}
