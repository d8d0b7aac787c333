package dev.knitting.internal.host;

import dev.knitting.internal.share.Transfers;

import dev.knitting.TaskCall;
import dev.knitting.internal.observe.CallTrace;
import dev.knitting.internal.task.CallControl;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec;
import dev.knitting.internal.task.TaskEntry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * One call from {@code Pool.call} until it ends: the caller's future, where it went, and its abort
 * slot. The abort slot is only raised while the call is at the worker; {@link #answered()} closes
 * that window before the slot is released, so a late abort never reaches a slot that was handed
 * to another call.
 *
 * <p>Where the call went ({@code lane}, {@code incarnation}, {@code requestEnd}) is written by the
 * sending thread with release stores and read with acquire loads: a plain store on x86, where a
 * volatile store would cost a full fence each on the path every call takes. {@code sendState}
 * tells a lane retiring its worker which calls are still being written into the old ring.
 */
final class PendingCall implements CallControl, LongConsumer {
    private static final VarHandle LANE;
    private static final VarHandle INCARNATION;
    private static final VarHandle REQUEST_END;
    private static final VarHandle SEND_STATE;
    private static final VarHandle ENDED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LANE = lookup.findVarHandle(PendingCall.class, "lane", HostLane.class);
            INCARNATION = lookup.findVarHandle(PendingCall.class, "incarnation", Incarnation.class);
            REQUEST_END = lookup.findVarHandle(PendingCall.class, "requestEnd", long.class);
            SEND_STATE = lookup.findVarHandle(PendingCall.class, "sendState", int.class);
            ENDED = lookup.findVarHandle(PendingCall.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #sendState}: not being written into a ring (before, after, or never sent). */
    private static final int NOT_SENDING = 0;
    /** {@link #sendState}: between registering as pending and the end of the ring write. */
    private static final int SENDING = 1;

    private final PoolRuntime runtime;
    private TaskCall<Object> future;
    private TaskEntry task;
    private TimeoutSpec timeout;
    private HostLane lane;
    private Incarnation incarnation;
    private long requestEnd = -1;
    private int sendState;
    private boolean workerWasAsleep;
    private Object argument;
    private Transfers transfers;
    /** Set by the dispatching thread before the call is published; null when no recording wants it. */
    private CallTrace trace;
    private long callId = -1;
    private int abortSlot = -1;
    private boolean answered;
    private volatile boolean abortRequested;
    private volatile Future<?> timer;
    private volatile Future<?> hardTimer;
    private volatile boolean ended;

    PendingCall(PoolRuntime runtime) {
        this.runtime = runtime;
    }

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
     * Records where the call went and marks it {@link #SENDING}; called before the call is put in
     * its lane's pending table, whose compareAndSet publishes all of it.
     */
    void dispatched(HostLane target, Incarnation at, long id, int slot) {
        this.callId = id;
        this.abortSlot = slot;
        this.sendState = SENDING;
        REQUEST_END.setRelease(this, -1L);
        INCARNATION.setRelease(this, at);
        LANE.setRelease(this, target);
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

    /** @return the ring position of the request's last record, or -1 before it was claimed */
    long requestEnd() {
        return (long) REQUEST_END.getAcquire(this);
    }

    /** Marks the ring write over (committed, or given up); see {@link #isSending()}. */
    void sendFinished() {
        SEND_STATE.setRelease(this, NOT_SENDING);
    }

    /** @return whether a thread is still writing this call into a ring (between dispatch and send's end) */
    boolean isSending() {
        return (int) SEND_STATE.getAcquire(this) == SENDING;
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

    /** @return what a recording learns about this call, or null */
    CallTrace trace() {
        return trace;
    }

    void trace(CallTrace value) {
        this.trace = value;
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
        return ended;
    }

    /** @return {@code true} the first time only: every call ends exactly once */
    boolean markEnded() {
        argument = null;
        return ENDED.compareAndSet(this, false, true);
    }

    /** Marks the worker's answer as arrived (or the call as taken back): the abort slot may no longer be raised. */
    void answered() {
        if (abortSlot < 0) {
            return; // no slot to protect: skip the monitor on the hot path
        }
        synchronized (this) {
            answered = true;
        }
    }

    /** Re-arms the call for sending again to a replacement worker. */
    void unanswered() {
        if (abortSlot < 0 && !answered) {
            return;
        }
        synchronized (this) {
            answered = false;
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
        if (!answered && at != null && abortSlot >= 0) {
            at.raiseAbort(abortSlot);
        }
    }

    @Override
    public void awaitBriefly(TaskCall<?> call) {
        HostLane target = lane();
        if (target != null) {
            target.helpUntilDone(this);
        }
    }

    @Override
    public void completed(TaskCall<?> call) {
        Incarnation at = incarnation();
        if (at != null) {
            at.wakeSleepingJoiners();
        }
    }

    PoolRuntime runtime() {
        return runtime;
    }
}
