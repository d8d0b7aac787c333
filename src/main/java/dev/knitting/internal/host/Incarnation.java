package dev.knitting.internal.host;

import dev.knitting.IdlePolicy;
import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.lane.AbortSlotAllocator;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageSender;
import dev.knitting.internal.lane.PayloadSource;
import dev.knitting.internal.lane.SendAbandonedException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host side of one worker's life on a lane: the lane memory, its request sender and response
 * collector, its abort slots and the worker. A lane that loses its worker retires
 * the incarnation and starts a new one; calls never outlive the incarnation they were sent to.
 *
 * <p>Its answers are collected by its {@link AnswerCollector}.
 *
 * <p>{@code users} counts host threads inside this incarnation's memory (collectors, sleeping
 * joiners, abort raisers); {@link #retire} waits for it to reach zero before the memory may be
 * freed. Senders are tracked per call instead (see {@link #send}).
 */
final class Incarnation {
    private static final Duration RETIRE_WAIT = Duration.ofSeconds(10);

    private final int index;
    private final LaneMemory memory;
    private final Lane lane;
    private final MessageSender requests;
    private final AnswerCollector answers;
    private final AbortSlotAllocator abortSlots;
    private final IdlePolicy idle;
    private final AtomicInteger users = new AtomicInteger();
    private WorkerHandle worker;
    private volatile boolean alive = true;
    private final java.util.function.BooleanSupplier isAlive = new java.util.function.BooleanSupplier() {
        @Override
        public boolean getAsBoolean() { // a class, not a lambda: no class spun at a cold JVM's first call
            return alive;
        }
    };

    Incarnation(int index, LaneMemory memory, Lane lane, IdlePolicy idle, long maxAnswerBytes) {
        this.index = index;
        this.memory = memory;
        this.lane = lane;
        this.idle = idle;
        this.requests = new MessageSender(lane.requests(), new IdleStrategy(idle));
        this.answers = new AnswerCollector(this, lane, idle, maxAnswerBytes);
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

    /** @return abort slots held by calls now */
    int abortSlotsInUse() {
        return abortSlots.inUse();
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
    int send(PendingCall call, long callId, int taskId, int abortSlot, PayloadSource payload) {
        // Not counted in users (two atomic updates on every call): the call is pending and marked
        // sending, which is what the lane's retirement waits on (HostLane#awaitSends). Freed memory
        // cannot be hit either way: a late write meets a closed arena and throws.
        if (!alive) {
            return NOT_SENT;
        }
        try {
            int type = call.chunk() == null ? MessageDescriptor.REQUEST : MessageDescriptor.BATCH_REQUEST;
            boolean woke = requests.send(type, callId, taskId, abortSlot, payload, isAlive,
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
     * the lane memory except what {@link AnswerCollector#drainRemaining} does next.
     */
    void retire() {
        alive = false;
        if (!answers.isPump()) {
            wakeEverybody();
            answers.awaitPumpEnd(RETIRE_WAIT);
        }
        long deadline = System.nanoTime() + RETIRE_WAIT.toNanos();
        while (users.get() > 0 && System.nanoTime() - deadline < 0) {
            wakeEverybody();
            Thread.onSpinWait();
            Thread.yield();
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

    /** Enters the memory, unless retired: a thread inside is waited for before the memory is freed. */
    boolean enter() {
        users.incrementAndGet();
        if (!alive) {
            users.decrementAndGet();
            return false;
        }
        return true;
    }

    void leave() {
        users.decrementAndGet();
    }

    /** @return the collector of this incarnation's answers */
    AnswerCollector answers() {
        return answers;
    }

    int index() {
        return index;
    }
}
