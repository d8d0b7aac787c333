package dev.knitting.internal.host;

import dev.knitting.IdlePolicy;
import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.internal.lane.AbortSlotAllocator;
import dev.knitting.internal.lane.AdaptiveSpin;
import dev.knitting.internal.lane.Deadline;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageHandler;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MessageSender;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.lane.SendAbandonedException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The host side of one worker's life on a lane: the lane memory, its request sender and response
 * receiver, its abort slots, the worker and the pump thread. A lane that loses its worker retires
 * the incarnation and starts a new one; calls never outlive the incarnation they were sent to.
 *
 * <p>Answers are collected by whoever gets there first: a caller waiting in {@code join()}, or the
 * pump thread, which sleeps on the response ring's doorbell. The {@code draining} flag admits one
 * collector at a time; a collector re-checks the ring after letting go, so an answer published
 * while another thread held the flag is never left behind.
 *
 * <p>{@code users} counts host threads inside this incarnation's memory (collectors, sleeping
 * joiners, abort raisers); {@link #retire} waits for it to reach zero before the memory may be
 * freed. Senders are tracked per call instead (see {@link #send}).
 */
final class Incarnation {
    private static final int DRAIN_BATCH = 256;
    private static final Duration RETIRE_WAIT = Duration.ofSeconds(10);
    private static final Duration DRAIN_REMAINING_WAIT = Duration.ofMillis(250);

    private final int index;
    private final LaneMemory memory;
    private final Lane lane;
    private final MessageSender requests;
    private final MessageReceiver responses;
    private final AbortSlotAllocator abortSlots;
    private final IdlePolicy idle;
    private final long spinNanos;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicInteger sleepingJoiners = new AtomicInteger();
    private final AdaptiveSpin joinSpin = new AdaptiveSpin();
    private WorkerHandle worker;
    private Thread pump;
    private volatile boolean alive = true;
    /** A corruption a caller met while collecting, for the pump to act on (it alone retires). */
    private volatile ProtocolException corruption;
    private final java.util.function.BooleanSupplier isAlive = () -> alive;

    Incarnation(int index, LaneMemory memory, Lane lane, IdlePolicy idle, long maxAnswerBytes) {
        this.index = index;
        this.memory = memory;
        this.lane = lane;
        this.idle = idle;
        this.spinNanos = idle.spin().toNanos();
        this.requests = new MessageSender(lane.requests(), new IdleStrategy(idle));
        this.responses = new MessageReceiver(lane.responses(), maxAnswerBytes);
        this.abortSlots = new AbortSlotAllocator(lane.aborts());
    }

    /** Binds the worker once it is running. */
    void worker(WorkerHandle handle) {
        this.worker = handle;
    }

    WorkerHandle worker() {
        return worker;
    }

    Lane lane() {
        return lane;
    }

    LaneMemory memory() {
        return memory;
    }

    boolean alive() {
        return alive;
    }

    int abortCapacity() {
        return lane.aborts().capacity();
    }

    /** @return a free abort slot, or -1 */
    int tryAcquireAbortSlot() {
        return abortSlots.tryAcquire();
    }

    void releaseAbortSlot(int slot) {
        if (slot >= 0 && alive) {
            abortSlots.release(slot);
        }
    }

    void raiseAbort(int slot) {
        if (enter()) {
            try {
                lane.aborts().raise(slot);
            } finally {
                leave();
            }
        }
    }

    /** @return the request-ring position past the last request the worker started */
    long takenPosition() {
        return lane.takenPosition();
    }

    /** {@link #send} outcome: the incarnation died before the request was committed. */
    static final int NOT_SENT = 0;
    /** {@link #send} outcome: the call ended or its thread was interrupted while it waited for ring space; nothing was written. */
    static final int ABANDONED = 3;
    /** {@link #send} outcome: sent to a worker that was awake. */
    static final int SENT = 1;
    /** {@link #send} outcome: sent, and the worker had to be woken from its futex sleep. */
    static final int SENT_WOKE_WORKER = 2;

    /**
     * Publishes a request. Blocks while the request ring is full (backpressure), but never past the call's own end (a
     * timeout or a cancel) or its thread's interrupt, as long as nothing of the request is written.
     *
     * @return {@link #NOT_SENT}, {@link #ABANDONED}, {@link #SENT} or {@link #SENT_WOKE_WORKER}
     * @throws dev.knitting.ProtocolException if the request ring is corrupt
     */
    int send(PendingCall call, long callId, int taskId, int abortSlot, MemorySegment payload) {
        // Not counted in users (two atomic updates on every call): the call is pending and marked
        // sending, which is what the lane's retirement waits on (HostLane#awaitSends). Freed memory
        // cannot be hit either way: a late write meets a closed arena and throws.
        if (!alive) {
            return NOT_SENT;
        }
        try {
            boolean woke = requests.send(MessageDescriptor.REQUEST, callId, taskId, abortSlot, payload, isAlive,
                    call, call);
            return woke ? SENT_WOKE_WORKER : SENT;
        } catch (SendAbandonedException abandoned) {
            return alive ? ABANDONED : NOT_SENT;
        } catch (KnittingException | IllegalStateException diedWhileWaiting) {
            if (alive) {
                throw diedWhileWaiting;
            }
            return NOT_SENT;
        }
    }

    /**
     * Sends the bootstrap data as the {@link MessageDescriptor#BOOTSTRAP} message, before the worker
     * is ready and before any call: nothing else is in the request ring yet. Waits for ring space
     * while {@code workerAlive} holds.
     *
     * @throws KnittingException if {@code workerAlive} turns false while waiting for space
     */
    void sendBootstrap(MemorySegment data, java.util.function.BooleanSupplier workerAlive) {
        requests.send(MessageDescriptor.BOOTSTRAP, 0, 0, MessageDescriptor.NO_ABORT_SLOT, data, workerAlive);
    }

    /**
     * Starts the pump thread that collects answers nobody is waiting for in {@code join()}. A corrupt
     * response ring ends the pump and goes to {@code onCorrupt}, on the pump thread.
     */
    void startPump(String name, MessageHandler handler, Consumer<ProtocolException> onCorrupt) {
        pump = new Thread(() -> pumpLoop(handler, onCorrupt), name);
        pump.setDaemon(true);
        pump.start();
    }

    private void pumpLoop(MessageHandler handler, Consumer<ProtocolException> onCorrupt) {
        IdleStrategy strategy = new IdleStrategy(new IdlePolicy(Duration.ZERO, 0, idle.maxPark()));
        MpscRing ring = lane.responses();
        long slice = idle.maxPark().toNanos();
        try {
            while (alive) {
                ProtocolException reported = corruption;
                if (reported != null) {
                    throw reported;
                }
                if (!drain(handler)) {
                    strategy.await(() -> !alive || corruption != null || ring.hasCommittedRecord(),
                            lane.pumpDoorbell(), slice);
                }
            }
        } catch (RuntimeException | Error e) {
            // Whatever ends the pump retires the incarnation: a lane nobody collects answers from
            // would hang every call sent to it.
            if (alive) {
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
        if (!enter()) {
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
            leave();
        }
    }

    private void spinUntilDone(TaskCall<?> call, MessageHandler handler, long callerDeadline) {
        long deadline = System.nanoTime() + Math.min(spinNanos, Deadline.remaining(callerDeadline));
        int spins = 0;
        lane.addCollectors(1);
        try {
            long start = System.nanoTime();
            long pure = joinSpin.pureNanos();
            boolean yielded = false;
            while (!call.isDone() && alive) {
                if (drain(handler)) {
                    continue;
                }
                Thread.onSpinWait();
                if ((++spins & 63) == 0) {
                    long now = System.nanoTime();
                    if (now - deadline > 0) {
                        break;
                    }
                    if (now - start >= pure) {
                        yielded = true;
                        Thread.yield(); // the worker may be queued on this vCPU (see AdaptiveSpin)
                    }
                }
            }
            if (call.isDone()) {
                if (yielded) {
                    joinSpin.satisfiedAfterYield();
                } else {
                    joinSpin.satisfiedWhilePure();
                }
            }
            for (int y = 0; y < idle.yields() && !call.isDone() && alive && !Deadline.passed(callerDeadline); y++) {
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
        sleepingJoiners.incrementAndGet();
        try {
            while (!call.isDone() && alive && !self.isInterrupted() && !Deadline.passed(deadline)) {
                if (!drain(handler)) {
                    ring.dataDoorbell().sleep(() -> call.isDone() || !alive || self.isInterrupted()
                            || ring.hasCommittedRecord(), Math.min(slice, Deadline.remaining(deadline)));
                }
            }
        } finally {
            sleepingJoiners.decrementAndGet();
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
        if (sleepingJoiners.get() > 0 && enter()) {
            try {
                lane.responses().dataDoorbell().ring();
            } finally {
                leave();
            }
        }
    }

    /**
     * Asks the worker to finish: with {@code now} it skips the requests still queued (their calls
     * were failed), else it serves them first. Never downgrades a stop-now to a drain.
     */
    void requestStop(boolean now) {
        if (enter()) {
            try {
                if (now) {
                    lane.hostState(LaneDescriptor.HOST_GONE);
                } else if (lane.hostState() == LaneDescriptor.HOST_RUNNING) {
                    lane.hostState(LaneDescriptor.HOST_STOP_REQUESTED);
                }
                lane.requests().dataDoorbell().ring();
            } finally {
                leave();
            }
        }
    }

    /**
     * Ends this incarnation on the host side: no new sends, the pump stops, waiting threads wake
     * and leave. After this returns (or its bounded wait ran out) nothing of the host is inside
     * the lane memory except what {@link #drainRemaining} does next.
     */
    void retire() {
        alive = false;
        if (Thread.currentThread() != pump) {
            wakeEverybody();
            joinQuietly(pump);
        }
        long deadline = System.nanoTime() + RETIRE_WAIT.toNanos();
        while (users.get() > 0 && System.nanoTime() - deadline < 0) {
            wakeEverybody();
            Thread.onSpinWait();
            Thread.yield();
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

    /** Tells a worker that may still run that the host is gone, then frees the host's share of the memory. */
    void release() {
        try {
            lane.hostState(LaneDescriptor.HOST_GONE);
            lane.requests().dataDoorbell().ring();
        } catch (IllegalStateException alreadyFreed) {
            return;
        }
        memory.release();
    }

    private void wakeEverybody() {
        try {
            lane.responses().dataDoorbell().ring();
            lane.pumpDoorbell().ring();
            lane.requests().spaceDoorbell().ring();
        } catch (IllegalStateException alreadyFreed) {
            // nothing left to wake
        }
    }

    private boolean enter() {
        users.incrementAndGet();
        if (!alive) {
            users.decrementAndGet();
            return false;
        }
        return true;
    }

    private void leave() {
        users.decrementAndGet();
    }

    int index() {
        return index;
    }

    private static void joinQuietly(Thread thread) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(RETIRE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
