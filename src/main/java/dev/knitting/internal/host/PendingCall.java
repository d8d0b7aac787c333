package dev.knitting.internal.host;

import dev.knitting.internal.share.Transfers;

import dev.knitting.TaskCall;
import dev.knitting.internal.lane.Deadline;
import dev.knitting.internal.observe.CallTrace;
import dev.knitting.internal.task.CallControl;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec;
import dev.knitting.internal.task.TaskEntry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * One call from {@code Pool.call} until it ends: the caller's future, where it went, its abort
 * slot, and its lifecycle {@code state}, an {@code int} changed only by compare-and-set:
 *
 * <pre>
 *            dispatch to a lane                request committed in the ring
 *   NEW ─────────────────────────────▶ SENDING ─────────────────────────────▶ QUEUED
 *    ▲                                    │                                      │
 *    └──── not sent (worker died, ring ───┘                                      │
 *    │     corrupt, caller gave up): taken back                                  │
 *    └──── worker lost before it took the call: taken back to resend (once) ─────┘
 *
 *   NEW | SENDING | QUEUED ──▶ ENDED      exactly once: the call completed and was counted
 * </pre>
 *
 * Whether the worker has <em>taken</em> a queued call (started running it) is the worker's word,
 * read from its lane's taken position; it is no state of the host's, and it decides only whether a
 * lost worker's call fails or is resent. {@code SENDING} tells a lane retiring its worker which
 * calls a thread is still writing into the old ring ({@link HostLane} waits for those, bounded).
 *
 * <p>Who writes what: the call's data ({@code task}, {@code timeout}, {@code argument}) is written
 * by the admitting thread before the call is published. Where the call went ({@code lane},
 * {@code incarnation}, {@code requestEnd}, {@code callId}, {@code abortSlot}) is written by the
 * sending thread before the pending table's compare-and-set publishes the call, with release
 * stores read by acquire loads (a plain store on x86, where a volatile store would cost a full
 * fence on the path every call takes). {@code resent} is the lane's replacing thread's alone.
 * {@code awaitingWorker} is written by the sending thread under its lane's lifecycle monitor while
 * it waits for a replacement worker, and read by whatever completes the call, to wake it.
 * {@code abortWindowOpen} is guarded by this object's monitor: an abort raises the worker-visible
 * flag only while the call is at the worker, and the one take-back path closes the window before
 * the slot is released, so a late abort never reaches a slot handed to another call.
 */
final class PendingCall implements CallControl, LongConsumer, BooleanSupplier {
    /** {@link #state}: admitted, at no lane (encoding, awaiting its argument, or taken back). */
    static final int NEW = 0;
    /** {@link #state}: in a lane's pending table, a thread is writing its request into the ring. */
    static final int SENDING = 1;
    /** {@link #state}: its request is committed in the ring; its worker answers it (or dies). */
    static final int QUEUED = 2;
    /** {@link #state}: completed and counted; terminal. */
    static final int ENDED = 3;

    private static final VarHandle STATE;
    private static final VarHandle LANE;
    private static final VarHandle INCARNATION;
    private static final VarHandle REQUEST_END;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(PendingCall.class, "state", int.class);
            LANE = lookup.findVarHandle(PendingCall.class, "lane", HostLane.class);
            INCARNATION = lookup.findVarHandle(PendingCall.class, "incarnation", Incarnation.class);
            REQUEST_END = lookup.findVarHandle(PendingCall.class, "requestEnd", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = NEW;
    private TaskCall<Object> future;
    private TaskEntry task;
    private TimeoutSpec timeout;
    private Object argument;
    /** The {@code callAll} chunk this call carries, or null for a plain call; set before the call is published. */
    private BatchChunk chunk;
    private Transfers transfers;
    private HostLane lane;
    private Incarnation incarnation;
    private long requestEnd = -1;
    /** Set by the dispatching thread before the call is published; null when no recording wants it. */
    private CallTrace trace;
    private long callId = -1;
    private int abortSlot = -1;
    private boolean workerWasAsleep;
    private boolean resent;
    /** Set by the thread that collected a VALUE answer, before it ends the call. */
    private boolean valueAnswered;
    private boolean abortWindowOpen;
    private volatile boolean abortRequested;
    private volatile Future<?> timer;
    private volatile Future<?> hardTimer;
    private volatile HostLane awaitingWorker;

    void bind(TaskCall<Object> call) {
        this.future = call;
    }

    TaskCall<Object> future() {
        return future;
    }

    TaskEntry task() {
        return task;
    }

    void task(TaskEntry entry) {
        this.task = entry;
    }

    /**
     * @return the timeout of the task object the caller passed, or {@code null}: an imported task
     *         made again with {@code timeout(...)} shares its table row with the plain import
     */
    TimeoutSpec timeout() {
        return timeout;
    }

    void timeout(TimeoutSpec spec) {
        this.timeout = spec;
    }

    HostLane lane() {
        return (HostLane) LANE.getAcquire(this);
    }

    long callId() {
        return callId;
    }

    int abortSlot() {
        return abortSlot;
    }

    /**
     * NEW -> SENDING: records where the call goes, before the lane's pending table publishes it.
     * A release store, not a compare-and-set: until the table publishes it, a call in NEW belongs
     * to the thread dispatching it (no other path can reach it to end it).
     */
    void dispatched(HostLane target, Incarnation at, long id, int slot) {
        this.callId = id;
        this.abortSlot = slot;
        if (slot >= 0) {
            synchronized (this) {
                abortWindowOpen = true;
            }
        }
        REQUEST_END.setRelease(this, -1L);
        INCARNATION.setRelease(this, at);
        LANE.setRelease(this, target);
        STATE.setRelease(this, SENDING);
    }

    Incarnation incarnation() {
        return (Incarnation) INCARNATION.getAcquire(this);
    }

    /** Records the ring position of the request's last record, before it is committed. */
    @Override
    public void accept(long position) {
        CallTrace.sent(trace);
        REQUEST_END.setRelease(this, position);
    }

    /**
     * Whether the sending thread should keep waiting for ring space for this call (a sender never
     * blocks past its call's end or its own interrupt); evaluated on the sending thread.
     */
    @Override
    public boolean getAsBoolean() {
        return !future.isDone() && !Thread.currentThread().isInterrupted();
    }

    /** @return the ring position of the request's last record, or -1 before it was claimed */
    long requestEnd() {
        return (long) REQUEST_END.getAcquire(this);
    }

    /** SENDING -> QUEUED: the request is in the ring. A call that ended meanwhile stays ENDED. */
    void queued() {
        STATE.compareAndSet(this, SENDING, QUEUED);
    }

    /**
     * SENDING or QUEUED -> NEW: the lane took the call back (it was not sent, or its worker died
     * before taking it), to be sent again. A call that ended meanwhile stays ENDED.
     */
    void takenBack() {
        int now = state;
        while ((now == SENDING || now == QUEUED) && !STATE.compareAndSet(this, now, NEW)) {
            now = state;
        }
    }

    /** @return whether the call's request is committed in a ring (QUEUED) */
    boolean isQueued() {
        return state == QUEUED;
    }

    /** @return whether a thread is still writing this call into a ring (SENDING) */
    boolean isSending() {
        return state == SENDING;
    }

    /** Records whether sending the call had to wake its worker from sleep. */
    void workerWasAsleep(boolean woke) {
        this.workerWasAsleep = woke;
    }

    /** @return whether sending the call had to wake its worker from sleep (read by the joining thread) */
    boolean workerWasAsleep() {
        return workerWasAsleep;
    }

    /** What the call's sends hold (pinned buffers, moved references) until it ends; null when nothing. */
    void transfers(Transfers value) {
        this.transfers = value;
    }

    /** Adds what a second send of the call holds. */
    void addTransfers(Transfers more) {
        if (more == null) {
            return;
        }
        synchronized (this) {
            if (transfers == null) {
                transfers = more;
            } else {
                transfers.addAll(more);
            }
        }
    }

    /** @return what the call's sends hold, now the caller's to settle or roll back; null when nothing */
    Transfers takeTransfers() {
        if (transfers == null) {
            return null; // the common case, without the monitor: set before the call was published
        }
        synchronized (this) {
            Transfers t = transfers;
            transfers = null;
            return t;
        }
    }

    /**
     * Claims the call's one resend to a replacement worker (SPEC 3: a call is resent at most once,
     * so a call that kills every worker it reaches, or a worker that lies about what it took,
     * cannot loop). Read and written only by the lane's replacing thread, one at a time.
     *
     * @return {@code true} the first time only
     */
    boolean claimResend() {
        if (resent) {
            return false;
        }
        resent = true;
        return true;
    }

    /** @return what a recording learns about this call, or null */
    CallTrace trace() {
        return trace;
    }

    void trace(CallTrace value) {
        this.trace = value;
    }

    /** @return the {@code callAll} chunk this call carries, or null for a plain call */
    BatchChunk chunk() {
        return chunk;
    }

    void chunk(BatchChunk value) {
        this.chunk = value;
    }

    /** Keeps the argument until the call ends, so a call a dead worker never took can be sent again. */
    void argument(Object value) {
        this.argument = value;
    }

    Object argument() {
        return argument;
    }

    /** @return whether the caller asked for an abort, or a timeout did */
    boolean abortRequested() {
        return abortRequested;
    }

    void timer(Future<?> scheduled) {
        this.timer = scheduled;
    }

    void hardTimer(Future<?> scheduled) {
        this.hardTimer = scheduled;
    }

    /** Cancels pending timeouts; called when the call ends. */
    void cancelTimer() {
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        Future<?> h = hardTimer;
        if (h != null) {
            h.cancel(false);
        }
    }

    /** @return whether the call has ended (answered, failed, or taken back by shutdown) */
    boolean isEnded() {
        return state == ENDED;
    }

    /** Records that the worker answered this call with a value: it decoded the whole request. */
    void answeredWithValue() {
        valueAnswered = true;
    }

    /**
     * @return whether the worker answered with a value; only the thread that ended the call after
     *     collecting the answer sees true (a caller completing the future itself never makes it true)
     */
    boolean workerAnsweredWithValue() {
        return valueAnswered;
    }

    /** Any -> ENDED. @return {@code true} the first time only: every call ends exactly once */
    boolean markEnded() {
        int now = state;
        while (now != ENDED) {
            if (STATE.compareAndSet(this, now, ENDED)) {
                argument = null;
                return true;
            }
            now = state;
        }
        return false;
    }

    /** Closes the abort window: the worker's answer arrived, or the call was taken back; the slot may be reused. */
    void closeAbortWindow() {
        if (abortSlot < 0) {
            return; // no slot to protect: skip the monitor on the hot path
        }
        synchronized (this) {
            abortWindowOpen = false;
        }
    }

    @Override
    public void abort(TaskCall<?> call) {
        abortRequested = true;
        raiseAbortFlag();
    }

    /** Raises the worker-visible abort flag if the call holds a slot and is still at the worker. */
    synchronized void raiseAbortFlag() {
        abortRequested = true;
        Incarnation at = incarnation();
        if (abortWindowOpen && at != null && abortSlot >= 0) {
            at.raiseAbort(abortSlot);
        }
    }

    @Override
    public void awaitBriefly(TaskCall<?> call, long timeoutNanos) {
        HostLane target = lane();
        if (target != null) {
            target.helpUntilDone(this, Deadline.after(timeoutNanos));
        }
    }

    @Override
    public void completed(TaskCall<?> call) {
        Incarnation at = incarnation();
        if (at != null) {
            at.answers().wakeSleepingJoiners();
        }
        HostLane replacing = awaitingWorker;
        if (replacing != null) {
            replacing.wakeCallersAwaitingWorker();
        }
    }

    /**
     * Marks the sending thread as waiting for {@code lane}'s replacement worker ({@code null}: no
     * longer), so that the call's end wakes it. Written under the lane's lifecycle monitor.
     */
    void awaitingWorkerOf(HostLane lane) {
        awaitingWorker = lane;
    }
}
