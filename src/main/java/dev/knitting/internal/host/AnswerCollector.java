package dev.knitting.internal.host;

import dev.knitting.IdlePolicy;
import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.internal.lane.AdaptiveSpin;
import dev.knitting.internal.lane.CpuHint;
import dev.knitting.internal.lane.Deadline;
import dev.knitting.internal.lane.IdleSlices;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.MessageHandler;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.share.ReferenceCache;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Collects one incarnation's answers from its response ring, whoever gets there first: a caller
 * waiting in {@code join()} (it spins collecting, yields, then sleeps on the answer doorbell), or
 * the pump thread, which sleeps on its own doorbell with the pool's {@link IdleStrategy}. The
 * {@code draining} flag admits one collector at a time; a collector re-checks the ring after
 * letting go, so an answer published while another thread held the flag is never left behind.
 *
 * <p>Why a joiner spins on its own instead of through {@link IdleStrategy}: it must collect while
 * it spins (a worker that sees a collector skips the wake-up), and it tunes its pure-spin budget
 * to the machine ({@link AdaptiveSpin}); the pump, which has nothing else to do, waits through the
 * strategy.
 *
 * <p>Every thread enters the incarnation's memory ({@link Incarnation#enter}) before touching the
 * ring and leaves after, so retiring the incarnation knows when the memory is no longer in use.
 * Anything a collector meets that is not a clean answer (a corrupt ring, an error while handling
 * one) goes to the pump, which alone retires the incarnation.
 */
final class AnswerCollector {
    private static final int DRAIN_BATCH = 256;
    /** How long a virtual caller spins for a worker that has not taken its request yet. */
    private static final long VIRTUAL_TAKE_WAIT_NANOS = 500;
    private static final Duration DRAIN_REMAINING_WAIT = Duration.ofMillis(250);

    private final int index;
    private final Incarnation incarnation;
    private final Lane lane;
    private final MessageReceiver responses;
    private final IdlePolicy idle;
    private final long spinNanos;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger sleepingJoiners = new AtomicInteger();
    private final AdaptiveSpin joinSpin = new AdaptiveSpin();
    private Thread pump;
    /** A corruption a caller met while collecting, for the pump to act on (it alone retires). */
    private volatile ProtocolException corruption;

    AnswerCollector(Incarnation incarnation, Lane lane, IdlePolicy idle, long maxAnswerBytes) {
        this.index = incarnation.index();
        this.incarnation = incarnation;
        this.lane = lane;
        this.idle = idle;
        this.spinNanos = idle.spin().toNanos();
        this.responses = new MessageReceiver(lane.responses(), maxAnswerBytes);
    }

    /**
     * Starts the pump thread that collects answers nobody is waiting for in {@code join()}. A corrupt
     * response ring ends the pump and goes to {@code onCorrupt}, on the pump thread.
     */
    void startPump(String name, MessageHandler handler, Consumer<ProtocolException> onCorrupt) {
        pump = new Thread(new Runnable() { // a class, not a lambda: no class spun on a cold JVM's start path
            @Override
            public void run() {
                pumpLoop(handler, onCorrupt);
            }
        }, name);
        pump.setDaemon(true);
        pump.start();
    }

    private void pumpLoop(MessageHandler handler, Consumer<ProtocolException> onCorrupt) {
        IdleSlices slices = new IdleSlices(idle.maxPark().toNanos());
        IdleStrategy strategy = new IdleStrategy(new IdlePolicy(Duration.ZERO, 0, slices.longest()));
        MpscRing ring = lane.responses();
        // made once: the pump may wait once per answer (a lane with parked virtual callers wakes it for each)
        BooleanSupplier wakeReason = new BooleanSupplier() {
            @Override
            public boolean getAsBoolean() {
                return !incarnation.alive() || corruption != null || ring.hasCommittedRecord();
            }
        };
        try {
            while (incarnation.alive()) {
                ProtocolException reported = corruption;
                if (reported != null) {
                    throw reported;
                }
                if (drain(handler)) {
                    slices.worked();
                } else {
                    // what the host keeps of references its workers freed goes while none moves
                    ReferenceCache.sweepIfDue();
                    slices.after(strategy.await(wakeReason, lane.pumpDoorbell(), slices.current()));
                }
            }
        } catch (RuntimeException | Error e) {
            // Whatever ends the pump retires the incarnation: a lane nobody collects answers from
            // would hang every call sent to it.
            if (incarnation.alive()) {
                onCorrupt.accept(e instanceof ProtocolException pe ? pe
                        : new ProtocolException("lane " + index + " answers are unreadable: " + e, e));
            }
        }
    }

    /**
     * Collects every answer available now.
     *
     * @return whether any was collected
     * @throws dev.knitting.ProtocolException if the response ring is corrupt
     */
    boolean drain(MessageHandler handler) {
        boolean any = false;
        MpscRing ring = lane.responses();
        if (!ring.hasCommittedRecord()) {
            return false; // a spinning joiner polls here: no atomic write while nothing arrived
        }
        do {
            if (!draining.compareAndSet(false, true)) {
                return any;
            }
            try {
                int n;
                do {
                    n = responses.poll(handler, DRAIN_BATCH);
                    any |= n > 0;
                } while (n > 0);
            } finally {
                draining.set(false);
            }
        } while (ring.hasCommittedRecord());
        return any;
    }

    /**
     * Waits for a call without the pump: spins helping collect answers (as a collector, so the
     * worker skips the wake-up), yields, then sleeps on the answer doorbell itself until the call is
     * done or this incarnation dies. A call completed by another thread wakes sleeping joiners
     * through {@link #wakeSleepingJoiners()}.
     *
     * <p>When sending the call had to wake the worker and the worker has not taken it yet, the
     * joiner does not spin: the kernel tends to queue a woken thread on the waker's CPU, and
     * spinning there would keep the worker from running (on two vCPUs that costs a scheduler
     * slice, ~100 us, instead of a ~5 us wake-up). A worker that has taken the call is running, so
     * a caller joining a call of a long burst spins as usual.
     *
     * @param requestEnd ring position of the call's last request record, -1 if unknown
     * @param deadline when the caller stops waiting ({@link Deadline}), done or not
     */
    void helpUntilDone(TaskCall<?> call, boolean workerWasAsleep, long requestEnd, MessageHandler handler,
                       long deadline) {
        if (Thread.currentThread().isVirtual()) {
            parkUntilDone(call, workerWasAsleep, requestEnd, handler, deadline);
            return;
        }
        if (!incarnation.enter()) {
            return;
        }
        try {
            boolean workerMayBeQueued = workerWasAsleep && (requestEnd < 0 || requestEnd >= lane.takenPosition());
            if (!workerMayBeQueued) {
                spinUntilDone(call, handler, deadline);
            }
            if (!call.isDone() && !Deadline.passed(deadline)) {
                sleepUntilDone(call, handler, deadline);
            }
        } catch (RuntimeException | InternalError corrupt) {
            // A message-level error consumed its record, so the pump would never meet it itself:
            // hand it over and wake the pump, which retires this incarnation. Never the caller's
            // exception: its call ends with the lane's fate. (InternalError: a fault in lane memory
            // a worker shrank, where it could not be sealed.)
            reportCorruption(corrupt);
        } finally {
            incarnation.leave();
        }
    }

    /**
     * {@link #helpUntilDone} for a virtual thread, which must never block in native code: a futex
     * wait would pin its carrier, and with as many virtual callers as carriers nothing else could
     * run. It spins a moment on its carrier only while the worker is running its request, then
     * registers as a parked caller in the lane (so the worker wakes the pump for every answer, also
     * inside a burst), collects what arrived meanwhile, and parks in the JVM until the call
     * completes: whoever completes it (the pump, a joiner, a timeout, a cancel, a crash) unparks it.
     * A slice of {@code maxPark} bounds each park, after which it collects once itself, so a wake
     * lost to a misbehaving worker costs one slice.
     */
    private void parkUntilDone(TaskCall<?> call, boolean workerWasAsleep, long requestEnd, MessageHandler handler,
                               long deadline) {
        if (!incarnation.enter()) {
            return;
        }
        boolean registered = false;
        try {
            if (!workerWasAsleep) {
                spinOnCarrier(call, requestEnd, handler, deadline);
            }
            if (call.isDone() || !incarnation.alive() || Deadline.passed(deadline)) {
                return;
            }
            lane.addParkedCallers(1); // a full fence: our drain below comes after it
            registered = true;
            drain(handler); // answers published before the worker could see us woke nobody for us
        } catch (RuntimeException | InternalError corrupt) {
            reportCorruption(corrupt);
        } finally {
            incarnation.leave();
        }
        if (!registered) {
            return;
        }
        try {
            Thread self = Thread.currentThread();
            call.whenComplete(new Unparker(self)); // whoever ends the call wakes us
            long slice = idle.maxPark().toNanos();
            long sliceEnd = System.nanoTime() + slice;
            // an interrupt ends the park and stays set: the caller's get() reports it
            while (!call.isDone() && incarnation.alive() && !self.isInterrupted() && !Deadline.passed(deadline)) {
                long now = System.nanoTime();
                if (now - sliceEnd >= 0) {
                    collectOnce(handler); // a whole slice without the call's end: collect once ourselves
                    sliceEnd = now + slice;
                } else {
                    // no exception per slice: a timed get() would throw (and fill in) a TimeoutException
                    LockSupport.parkNanos(this, Math.min(sliceEnd - now, Deadline.remaining(deadline)));
                }
            }
        } finally {
            if (incarnation.enter()) {
                try {
                    lane.addParkedCallers(-1);
                } finally {
                    incarnation.leave();
                }
            }
        }
    }

    /**
     * A virtual caller's spin: at most {@link AdaptiveSpin#MAX_PURE_NANOS}, as a collector, and
     * only while the worker runs the request (or takes it within {@value #VIRTUAL_TAKE_WAIT_NANOS}
     * ns) on another CPU; anything else holds a carrier other virtual threads need.
     */
    private void spinOnCarrier(TaskCall<?> call, long requestEnd, MessageHandler handler, long callerDeadline) {
        CpuHint hint = lane.hostCpu();
        if (hint.peerSharesMyCpu()) {
            return;
        }
        long start = System.nanoTime();
        long budget = Math.min(AdaptiveSpin.MAX_PURE_NANOS, Deadline.remaining(callerDeadline));
        lane.addCollectors(1);
        try {
            int spins = 0;
            while (!call.isDone() && incarnation.alive()) {
                if (drain(handler)) {
                    continue;
                }
                Thread.onSpinWait();
                if ((++spins & 15) == 0) {
                    long spun = System.nanoTime() - start;
                    if (spun >= budget || spun >= VIRTUAL_TAKE_WAIT_NANOS
                            && (requestEnd < 0 || requestEnd >= lane.takenPosition())) {
                        break;
                    }
                }
            }
        } finally {
            lane.addCollectors(-1);
            drain(handler); // answers published while we counted as a collector were not rung
        }
    }

    /** Collects what is there now, as a parked caller whose slice ran out. */
    private void collectOnce(MessageHandler handler) {
        if (incarnation.enter()) {
            try {
                drain(handler);
            } catch (RuntimeException | InternalError corrupt) {
                reportCorruption(corrupt);
            } finally {
                incarnation.leave();
            }
        }
    }

    private void spinUntilDone(TaskCall<?> call, MessageHandler handler, long callerDeadline) {
        long deadline = System.nanoTime() + Math.min(spinNanos, Deadline.remaining(callerDeadline));
        int spins = 0;
        CpuHint hint = lane.hostCpu();
        lane.addCollectors(1);
        try {
            long start = System.nanoTime();
            long pure = joinSpin.pureNanos();
            boolean yielded = false;
            boolean packed = hint.peerSharesMyCpu();
            boolean packedOnce = packed;
            while (!call.isDone() && incarnation.alive()) {
                if (drain(handler)) {
                    continue;
                }
                if (packed) {
                    Thread.yield(); // the worker is queued on this CPU: let it run now (see CpuHint)
                } else {
                    Thread.onSpinWait();
                }
                if (packed || (++spins & 63) == 0) {
                    long now = System.nanoTime();
                    if (now - deadline > 0) {
                        break;
                    }
                    packed = hint.peerSharesMyCpu();
                    packedOnce |= packed;
                    if (!packed && now - start >= pure) {
                        yielded = true;
                        Thread.yield(); // the worker may be queued on this vCPU (see AdaptiveSpin)
                    }
                }
            }
            if (call.isDone() && !packedOnce) {
                if (yielded && !hint.peerRunsElsewhere()) {
                    joinSpin.satisfiedAfterYield();
                } else {
                    joinSpin.satisfiedWhilePure();
                }
            }
            for (int y = 0; y < idle.yields() && !call.isDone() && incarnation.alive() && !Deadline.passed(callerDeadline); y++) {
                Thread.yield();
                drain(handler);
            }
        } finally {
            lane.addCollectors(-1);
            drain(handler); // answers published while we counted as a collector were not rung
        }
    }

    private void sleepUntilDone(TaskCall<?> call, MessageHandler handler, long deadline) {
        MpscRing ring = lane.responses();
        long slice = idle.maxPark().toNanos();
        Thread self = Thread.currentThread();
        lane.hostCpu().sleeping();
        while (!call.isDone() && incarnation.alive() && !self.isInterrupted() && !Deadline.passed(deadline)) {
            if (drain(handler)) {
                continue;
            }
            // Counted as a sleeper only around the sleep itself, not while it collects: else
            // every answer it completes would ring the doorbell for itself. A completion that
            // misses the count (a volatile read after the future's completing write) comes before
            // the increment, so the sleep's own check of isDone() sees it.
            sleepingJoiners.incrementAndGet();
            try {
                ring.dataDoorbell().sleep(new SleepEnd(call, self, ring), Math.min(slice, Deadline.remaining(deadline)));
            } finally {
                sleepingJoiners.decrementAndGet();
            }
        }
        // While registered as a sleeper the worker rang us, not the pump: answers published since
        // our last drain are ours to collect.
        drain(handler);
    }

    private void reportCorruption(Throwable e) {
        if (corruption == null) {
            corruption = e instanceof ProtocolException pe ? pe
                    : new ProtocolException("lane " + index + " answers are unreadable: " + e, e);
        }
        try {
            lane.pumpDoorbell().ring();
        } catch (IllegalStateException alreadyFreed) {
            // retired meanwhile: nobody left to tell
        }
    }

    /** Wakes joiners asleep on the answer doorbell; called whenever a call of this incarnation completes. */
    void wakeSleepingJoiners() {
        if (sleepingJoiners.get() > 0 && incarnation.enter()) {
            try {
                lane.responses().dataDoorbell().ring();
            } finally {
                incarnation.leave();
            }
        }
    }

    /**
     * Collects answers a dead worker published before it died, for at most
     * {@link #DRAIN_REMAINING_WAIT}: a helper process the worker forked may keep writing into the
     * ring, and must not hold the lane's replacement back. Corrupt memory ends the collection;
     * whatever is left is lost with the worker (its calls fail as taken or go to the replacement).
     */
    void drainRemaining(MessageHandler handler) {
        long deadline = Deadline.after(DRAIN_REMAINING_WAIT.toNanos());
        try {
            while (!draining.compareAndSet(false, true)) {
                if (Deadline.passed(deadline)) {
                    return;
                }
                Thread.onSpinWait();
            }
            try {
                while (!Deadline.passed(deadline) && responses.poll(handler, DRAIN_BATCH) > 0) {
                    // keep collecting
                }
            } finally {
                draining.set(false);
            }
        } catch (RuntimeException corrupt) {
            // a corrupt ring: what is left is lost with the worker
        }
    }

    /** Waits (bounded) for the pump to end, once the incarnation is no longer alive; not from the pump itself. */
    void awaitPumpEnd(Duration wait) {
        Thread thread = pump;
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the calling thread is this collector's pump */
    boolean isPump() {
        return Thread.currentThread() == pump;
    }

    // The waits' callbacks: classes, not lambdas, since a cold JVM's first call runs them (no class spun).

    /** Unparks a parked joiner when its call ends. */
    private static final class Unparker implements java.util.function.BiConsumer<Object, Throwable> {
        private final Thread joiner;

        Unparker(Thread joiner) {
            this.joiner = joiner;
        }

        @Override
        public void accept(Object value, Throwable failure) {
            LockSupport.unpark(joiner);
        }
    }

    /** What ends a sleeping joiner's sleep: its call ended, the worker died, an interrupt, an answer. */
    private final class SleepEnd implements BooleanSupplier {
        private final TaskCall<?> call;
        private final Thread self;
        private final MpscRing ring;

        SleepEnd(TaskCall<?> call, Thread self, MpscRing ring) {
            this.call = call;
            this.self = self;
            this.ring = ring;
        }

        @Override
        public boolean getAsBoolean() {
            return call.isDone() || !incarnation.alive() || self.isInterrupted() || ring.hasCommittedRecord();
        }
    }
}
