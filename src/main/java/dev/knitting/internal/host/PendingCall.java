package dev.knitting.internal.host;

import dev.knitting.internal.share.Transfers;

import dev.knitting.TaskCall;
import dev.knitting.internal.task.CallControl;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec;
import dev.knitting.internal.task.TaskEntry;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * One call from {@code Pool.call} until it ends: the caller's future, where it went, and its abort
 * slot. The abort slot is only raised while the call is at the worker; {@link #answered()} closes
 * that window before the slot is released, so a late abort never reaches a slot that was handed
 * to another call.
 */
final class PendingCall implements CallControl, LongConsumer {
    private final PoolRuntime runtime;
    private TaskCall<Object> future;
    private TaskEntry task;
    private TimeoutSpec timeout;
    private volatile HostLane lane;
    private volatile Incarnation incarnation;
    private volatile long requestEnd = -1;
    private volatile boolean workerWasAsleep;
    private Object argument;
    private Transfers transfers;
    private long callId = -1;
    private int abortSlot = -1;
    private boolean answered;
    private volatile boolean abortRequested;
    private volatile Future<?> timer;
    private volatile Future<?> hardTimer;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

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
        return lane;
    }

    long callId() {
        return callId;
    }

    int abortSlot() {
        return abortSlot;
    }

    /** Records where the call went; called before the request is published. */
    void dispatched(HostLane target, Incarnation at, long id, int slot) {
        this.callId = id;
        this.abortSlot = slot;
        this.requestEnd = -1;
        this.incarnation = at;
        this.lane = target;
    }

    Incarnation incarnation() {
        return incarnation;
    }

    /** Records the ring position of the request's last record, before it is committed. */
    @Override
    public void accept(long position) {
        this.requestEnd = position;
    }

    /** @return the ring position of the request's last record, or -1 before it was claimed */
    long requestEnd() {
        return requestEnd;
    }

    /** Records whether sending the call had to wake its worker from sleep. */
    void workerWasAsleep(boolean woke) {
        this.workerWasAsleep = woke;
    }

    /** @return whether sending the call had to wake its worker from sleep */
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
        return ended.get();
    }

    /** @return {@code true} the first time only: every call ends exactly once */
    boolean markEnded() {
        argument = null;
        return ended.compareAndSet(false, true);
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
        Incarnation at = incarnation;
        if (!answered && at != null && abortSlot >= 0) {
            at.raiseAbort(abortSlot);
        }
    }

    @Override
    public void awaitBriefly(TaskCall<?> call) {
        HostLane target = lane;
        if (target != null) {
            target.helpUntilDone(this);
        }
    }

    @Override
    public void completed(TaskCall<?> call) {
        Incarnation at = incarnation;
        if (at != null) {
            at.wakeSleepingJoiners();
        }
    }

    PoolRuntime runtime() {
        return runtime;
    }
}
