package dev.knitting.internal.host;

import dev.knitting.TaskCall;
import dev.knitting.TaskTimeoutException;
import dev.knitting.internal.observe.PoolEvents;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec;
import java.time.Duration;

/**
 * The two clocks of a call: the task's own timeout ({@code task.timeout(...)}), measured from
 * {@code call}, and the pool's hard timeout, which bounds a call's running time at its worker and
 * kills a process worker that runs past it.
 *
 * <p>When does a call start running? The worker says so by advancing its lane's taken position,
 * but a hostile worker may never do that. So the hard timeout's clock starts at the first of:
 * the worker reports it took the call, or the host sees the lane collect no answer at all for
 * {@code hard} while the call waits in a live worker's ring (the call ahead of it runs, or the
 * worker is stuck). Either way it depends on nothing the worker can hold back: a worker that
 * answers nothing for {@code hard} has each of its queued calls' clocks running, and is killed
 * within {@code 2 * hard} plus a check period. Time spent queued behind calls that do get
 * answered, or waiting for a replacement worker, does not count.
 */
final class CallTimeouts {
    private final CallTimer timer;
    private final Duration hard;
    private final PoolEvents events;

    /** @param hard the pool's hard timeout, or {@code null} for none */
    CallTimeouts(CallTimer timer, Duration hard, PoolEvents events) {
        this.timer = timer;
        this.hard = hard;
        this.events = events;
    }

    /** Starts the call's clocks, as it is dispatched. */
    void arm(PendingCall call) {
        TimeoutSpec spec = call.timeout();
        if (spec != null) {
            call.timer(timer.schedule(spec.after(), () -> onTimeout(call, spec)));
        }
        if (hard != null) {
            scheduleStartCheck(call, -1, System.nanoTime());
        }
    }

    private void onTimeout(PendingCall call, TimeoutSpec spec) {
        TaskCall<Object> future = call.future();
        if (future.isDone()) {
            return;
        }
        switch (spec.outcome()) {
            case FALLBACK -> future.complete(spec.fallback());
            case ERROR -> future.completeExceptionally(spec.newError());
            default -> future.completeExceptionally(new TaskTimeoutException("task " + call.task().name()
                    + " timed out after " + spec.after()));
        }
        call.raiseAbortFlag();
    }

    private void scheduleStartCheck(PendingCall call, long answersSeen, long unchangedSince) {
        call.hardTimer(timer.schedule(checkPeriod(), () -> checkStarted(call, answersSeen, unchangedSince)));
    }

    /**
     * Re-checked every {@link #checkPeriod} until the call counts as running (see the class
     * comment); from then on it fails {@code hard} later. A lane's silence counts only while the
     * call waits in a live worker's ring: a call waiting for a replacement worker is not running.
     */
    private void checkStarted(PendingCall call, long answersSeen, long unchangedSince) {
        if (call.isEnded()) {
            return;
        }
        HostLane lane = call.lane();
        if (lane == null) { // the inline lane runs a call at once
            call.hardTimer(timer.schedule(hard, () -> onHardTimeout(call, -1, null)));
            return;
        }
        long answers = lane.answersCollected();
        long now = System.nanoTime();
        Incarnation queuedAt = lane.queuedAtLiveWorker(call);
        if (queuedAt == null || answers != answersSeen) {
            answersSeen = answers;
            unchangedSince = now;
        }
        if (lane.hasTaken(call)) {
            call.hardTimer(timer.schedule(hard, () -> onHardTimeout(call, -1, null)));
        } else if (now - unchangedSince >= hard.toNanos()) {
            long stalledAt = answers;
            call.hardTimer(timer.schedule(hard, () -> onHardTimeout(call, stalledAt, queuedAt)));
        } else {
            scheduleStartCheck(call, answersSeen, unchangedSince);
        }
    }

    private Duration checkPeriod() {
        Duration eighth = hard.dividedBy(8);
        return eighth.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : eighth;
    }

    /**
     * @param stalledAt the lane's answer count when the clock started because the lane answered
     *     nothing, or -1 when the worker reported it took the call: if the lane has answered since,
     *     or the call is no longer queued at the worker that fell silent, and the worker still does
     *     not say it took the call, the call was only waiting, and its clock starts over
     * @param stalledOn the worker that fell silent, with {@code stalledAt}
     */
    private void onHardTimeout(PendingCall call, long stalledAt, Incarnation stalledOn) {
        if (call.isEnded()) {
            return;
        }
        HostLane at = call.lane();
        if (stalledAt >= 0 && at != null && !at.hasTaken(call) && (at.answersCollected() != stalledAt
                || at.queuedAtLiveWorker(call) != stalledOn)) {
            scheduleStartCheck(call, at.answersCollected(), System.nanoTime());
            return;
        }
        if (call.future().completeExceptionally(new TaskTimeoutException("task " + call.task().name()
                + " ran past the pool's hard timeout of " + hard))) {
            events.log("hard timeout of " + call.task().name());
        }
        call.raiseAbortFlag();
        if (at != null) {
            at.stopRunaway(call);
        }
    }
}
