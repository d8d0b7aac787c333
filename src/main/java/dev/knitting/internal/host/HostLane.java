package dev.knitting.internal.host;

import dev.knitting.AbortCapacityException;
import dev.knitting.KnittingException;
import dev.knitting.PoolClosedException;
import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.lane.Deadline;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageHandler;
import dev.knitting.internal.share.Transfers;
import dev.knitting.internal.lane.PayloadSource;
import dev.knitting.internal.observe.CallTrace;
import dev.knitting.internal.observe.PoolEvents;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One lane of a pool as the host sees it: the calls pending on it and the {@link Incarnation} (lane
 * memory and worker) serving it now. When the worker dies the incarnation is retired: answers it
 * had published still count, the calls it had taken fail with {@link WorkerCrashedException} (or
 * {@link ProtocolException} when it corrupted its lane), the calls it had not taken go to a
 * replacement worker, and callers that arrive meanwhile wait for the replacement.
 *
 * <p>Call ids are unique for the lane's life, across incarnations: a call sent again gets a new id,
 * so an answer can never complete the wrong call.
 */
final class HostLane {
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** Starts a lane tries to replace a lost worker before it gives up (see {@link #startReplacement}). */
    static final int REPLACEMENT_STARTS = 3;
    /** The pause before the second start; the third waits twice as long. */
    private static final Duration REPLACEMENT_PAUSE = Duration.ofMillis(250);
    /** Longest wait for senders still writing into a retired incarnation's ring. */
    private static final Duration SEND_SETTLE_WAIT = Duration.ofSeconds(10);

    private final int index;
    private final CallOwner owner;
    private final PoolEvents events;
    private final WorkerStarter starter;
    private final PendingTable pending = new PendingTable();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong nextCallId = new AtomicLong();
    /**
     * Answers collected, for the hard timeout's progress check: written by the one collector that
     * holds the drain flag (a release store, no fence), read by the timer thread.
     */
    private final AtomicLong answersCollected = new AtomicLong();
    // A cold JVM's first pool runs these on its start path: classes, not lambdas (no class spun).
    private final MessageHandler answers = new MessageHandler() {
        @Override
        public void onMessage(int type, long callId, int status, int abortSlot, MemorySegment payload) {
            onAnswer(type, callId, status, abortSlot, payload);
        }
    };
    private final Object lifecycle = new Object();
    private volatile Incarnation current;
    private volatile boolean stopping;
    private volatile KnittingException down;

    private HostLane(int index, CallOwner owner, WorkerStarter starter, PoolEvents events) {
        this.index = index;
        this.owner = owner;
        this.starter = starter;
        this.events = events;
    }

    /** Starts the lane's first worker and waits until it is ready. */
    static HostLane start(int index, CallOwner owner, WorkerStarter starter, PoolEvents events) {
        HostLane lane = new HostLane(index, owner, starter, events);
        lane.begin(starter.start(index));
        return lane;
    }

    private void begin(Incarnation incarnation) {
        current = incarnation;
        events.workerStarted(index, starter.name(index), incarnation.worker().pid());
        incarnation.answers().startPump(starter.name(index) + "-answers", answers, new Corrupted(incarnation));
        incarnation.worker().exited().thenAccept(new WorkerExit(incarnation));
    }

    int index() {
        return index;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** @return whether a worker serves this lane now */
    boolean isUp() {
        Incarnation now = current;
        return now != null && now.alive();
    }

    /** @return whether calls may still be sent here (now, or once the replacement is ready) */
    boolean accepting() {
        return !stopping && down == null;
    }

    // ---------------------------------------------------------------- calls

    /**
     * Publishes the call's request, waiting while the request ring is full (backpressure) or while a
     * replacement worker starts. A corrupt request ring retires the worker (replaced as after a
     * crash) and the call goes to the replacement, once.
     *
     * @throws AbortCapacityException if the call needs an abort slot and none is free
     * @throws PoolClosedException if the lane stopped before the request could be written
     * @throws KnittingException if the call ended or its thread was interrupted while it waited for
     *     ring space (nothing was written), or the ring was corrupt twice
     */
    void submit(PendingCall call, int taskId, PayloadSource payload) {
        submit(call, taskId, payload, null);
    }

    /**
     * Sends a call as {@link #submit(PendingCall, int, PayloadSource)} does, handing the descriptors
     * its payload names by handoff id to the worker it goes to first ({@link Transfers#deliver}).
     *
     * @param handoffs the transfers of this encoding of the payload, or null if it hands nothing over
     * @throws KnittingException also if the worker does not take the descriptors
     */
    void submit(PendingCall call, int taskId, PayloadSource payload, Transfers handoffs) {
        while (true) {
            Incarnation target = awaitIncarnation(call);
            int slot = -1;
            boolean abortAware = call.task().definition().abortAware();
            // A callAll chunk of a task that does not need a slot takes one while at least half are
            // free, so that it can stop between elements without starving abort-aware calls.
            if (abortAware || call.chunk() != null && target.abortSlotsInUse() < target.abortCapacity() / 2) {
                slot = target.tryAcquireAbortSlot();
                if (slot < 0 && abortAware) {
                    throw new AbortCapacityException("all " + target.abortCapacity() + " abort slots of lane " + index
                            + " are held by running calls (abortSignalCapacity)");
                }
            }
            long id = nextCallId.incrementAndGet();
            call.dispatched(this, target, id, slot); // SENDING until queued() or takenBack()
            int sent;
            try {
                pending.put(id, call);
                inFlight.incrementAndGet();
                if (stopping) {
                    // shutdownNow raced with us: it sets stopping before it takes every pending call
                    // back, so either it saw this call or we see stopping here.
                    takeBack(id, false);
                    throw new PoolClosedException("lane " + index + " is stopping");
                }
                CallTrace.toLane(call.trace(), index, payload.byteSize());
                if (handoffs != null) {
                    handoffs.deliver(target.worker().descriptors());
                }
                sent = target.send(call, id, taskId, slot, payload);
            } catch (ProtocolException corrupt) {
                if (takeBack(id, false) == null) {
                    return; // already failed by shutdownNow
                }
                call.takenBack();
                replaceLater(target, new ProtocolException("lane " + index + " is corrupt: " + corrupt.getMessage(),
                        corrupt));
                if (!call.claimResend()) {
                    throw new ProtocolException("lane " + index + " request ring was corrupt twice while sending"
                            + " this call: " + corrupt.getMessage(), corrupt);
                }
                continue;
            } catch (RuntimeException | Error e) {
                takeBack(id, false);
                throw e;
            }
            if (sent == Incarnation.SENT || sent == Incarnation.SENT_WOKE_WORKER) {
                call.queued();
                call.workerWasAsleep(sent == Incarnation.SENT_WOKE_WORKER);
                if (call.abortRequested()) {
                    call.raiseAbortFlag();
                }
                return;
            }
            if (takeBack(id, false) == null) {
                return; // already failed by shutdownNow
            }
            call.takenBack();
            if (sent == Incarnation.ABANDONED) {
                throw new KnittingException(Thread.currentThread().isInterrupted()
                        ? "interrupted while waiting for space in lane " + index + "'s request ring"
                        : "the call ended while waiting for space in lane " + index + "'s request ring");
            }
            // NOT_SENT: the worker died before the request was committed; try the replacement.
        }
    }

    /**
     * The incarnation to send to now; while the lane replaces its worker, waits for the replacement,
     * but never past the call's own end (its timeout, a cancel) or the thread's interrupt: the
     * call's completion wakes this wait ({@link #wakeCallersAwaitingWorker}).
     */
    private Incarnation awaitIncarnation(PendingCall call) {
        Incarnation now = current;
        if (now != null && now.alive() && !stopping) {
            return now;
        }
        synchronized (lifecycle) {
            call.awaitingWorkerOf(this);
            try {
                while (true) {
                    if (stopping) {
                        throw new PoolClosedException("lane " + index + " is stopping");
                    }
                    if (down != null) {
                        throw down;
                    }
                    now = current;
                    if (now != null && now.alive()) {
                        return now;
                    }
                    if (call.future().isDone()) {
                        throw new KnittingException("the call ended while lane " + index + " was replacing its worker");
                    }
                    lifecycle.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoolClosedException("interrupted while lane " + index + " restarts its worker");
            } finally {
                call.awaitingWorkerOf(null);
            }
        }
    }

    /** Wakes callers waiting for a replacement worker, so that one whose call just ended can leave. */
    void wakeCallersAwaitingWorker() {
        synchronized (lifecycle) {
            lifecycle.notifyAll();
        }
    }

    private void onAnswer(int type, long callId, int status, int abortSlot, MemorySegment payload) {
        if (type != MessageDescriptor.RESPONSE) {
            throw new ProtocolException("response ring of lane " + index + " holds a message of type " + type);
        }
        PendingCall call = takeBack(callId, false);
        if (call == null) {
            return; // no such call: a forged or repeated id; its owner has ended already
        }
        answersCollected.setRelease(answersCollected.getPlain() + 1);
        owner.answer(call, status, payload);
    }

    /**
     * Spins and sleeps until the call is done or {@code deadline} passes, collecting answers;
     * follows the call if it moves.
     */
    void helpUntilDone(PendingCall call, long deadline) {
        TaskCall<?> future = call.future();
        while (!future.isDone() && !Deadline.passed(deadline)) {
            Incarnation at = call.incarnation();
            if (at == null || !at.alive()) {
                return;
            }
            at.answers().helpUntilDone(future, call.workerWasAsleep(), call.requestEnd(), answers, deadline);
            if (call.incarnation() == at) {
                return;
            }
        }
    }

    /**
     * Waits (bounded) until no thread is still writing a call into a retired incarnation's ring.
     * A sender registers its call as pending (a compareAndSet) before it reads {@code alive}, and
     * {@link Incarnation#retire} clears {@code alive} before this scan: a sender either sees the
     * incarnation dead and gives up, or its call is seen here as sending. Afterwards, whether a
     * call's request was published is settled, so it is either taken or safe to send again.
     */
    private void awaitSends(Incarnation dead) {
        long deadline = System.nanoTime() + SEND_SETTLE_WAIT.toNanos();
        for (PendingCall call : pending.snapshot()) {
            while (call.incarnation() == dead && call.isSending() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }

    /** @return whether the worker serving the call has taken it (started running it) */
    boolean hasTaken(PendingCall call) {
        Incarnation at = call.incarnation();
        long end = call.requestEnd();
        if (at == null || end < 0 || !pending.contains(call.callId())) {
            return false;
        }
        try {
            return end < at.takenPosition();
        } catch (IllegalStateException released) {
            return false;
        }
    }

    /** @return how many answers this lane has collected, across its workers; grows while its worker makes progress */
    long answersCollected() {
        return answersCollected.getAcquire();
    }

    /** @return the live worker whose ring holds the call's committed request, or null (not sent yet, being replaced, ended) */
    Incarnation queuedAtLiveWorker(PendingCall call) {
        Incarnation at = call.incarnation();
        return at != null && at.alive() && call.isQueued() && pending.contains(call.callId()) ? at : null;
    }

    /**
     * Stops a call that ran past the hard timeout (see {@link WorkerHandle#stopRunaway}) if it is
     * still pending at a live worker: taken by its own account, or stuck behind a worker that
     * answered nothing for the whole hard timeout ({@link CallTimeouts}).
     */
    void stopRunaway(PendingCall call) {
        Incarnation at = call.incarnation();
        if (at != null && at.alive() && pending.contains(call.callId())) {
            at.worker().stopRunaway(call.callId());
        }
    }

    /**
     * Takes every pending call back and then ends each with the exception {@code reason} gives. All
     * are removed before any is failed: once a running call's abort flag is up its worker moves on,
     * and its next answers must find nothing left to complete.
     */
    void failAll(Function<PendingCall, Throwable> reason) {
        List<PendingCall> taken = new ArrayList<>();
        for (PendingCall call : pending.snapshot()) {
            PendingCall mine = takeBack(call.callId(), true);
            if (mine != null) {
                taken.add(mine);
            }
        }
        for (PendingCall call : taken) {
            owner.fail(call, reason.apply(call));
        }
    }

    /**
     * The one take-back path, for answers, timeouts, shutdown, worker loss and unsent requests:
     * removes the call from the pending table (whoever removes it owns what happens next: its end,
     * or {@link PendingCall#takenBack()} and another send), optionally raises its abort flag so a
     * worker still running it stops, closes its abort window and frees its abort slot, and stops
     * counting it in flight.
     *
     * @param raiseAbort whether the worker should stop running the call
     * @return the call, now the caller's to end; {@code null} if another path took it first
     */
    private PendingCall takeBack(long callId, boolean raiseAbort) {
        PendingCall call = pending.remove(callId);
        if (call == null) {
            return null;
        }
        if (raiseAbort) {
            call.raiseAbortFlag();
        }
        call.closeAbortWindow();
        Incarnation at = call.incarnation();
        if (at != null) {
            at.releaseAbortSlot(call.abortSlot());
        }
        inFlight.decrementAndGet();
        return call;
    }

    /**
     * Stops taking new calls (callers waiting for space or for a replacement fail with
     * PoolClosedException) and tells the worker to skip what it has queued.
     */
    void refuseNewCalls() {
        synchronized (lifecycle) {
            stopping = true;
            lifecycle.notifyAll();
        }
        Incarnation now = current;
        if (now != null) {
            now.requestStop(true);
        }
    }

    // ---------------------------------------------------------------- worker loss

    private void onWorkerExit(Incarnation incarnation, WorkerCrashedException crash) {
        events.workerExited(index, incarnation.worker().pid(), crash, stopping);
        replaceLater(incarnation, crash);
    }

    /**
     * {@link #replaceClaimed} on a thread of its own, so that neither a sender nor a watcher waits for a
     * worker's boot. The lane stops handing out {@code dead} at once: callers arriving meanwhile
     * wait for the replacement.
     */
    private void replaceLater(Incarnation dead, KnittingException reason) {
        if (!claimReplacement(dead)) {
            return;
        }
        Thread restarter = new Thread(() -> replaceClaimed(dead, reason), starter.name(index) + "-restart");
        restarter.setDaemon(true);
        restarter.start();
    }

    /** @return whether this thread is the one to replace {@code dead} (it was current, and the lane runs) */
    private boolean claimReplacement(Incarnation dead) {
        synchronized (lifecycle) {
            if (stopping || current != dead) {
                return false;
            }
            current = null;
            return true;
        }
    }

    /** Retires a corrupt incarnation: its worker is killed and replaced like a crashed one. */
    private void corrupted(Incarnation incarnation, ProtocolException e) {
        if (claimReplacement(incarnation)) {
            replaceClaimed(incarnation, new ProtocolException("lane " + index + " is corrupt: " + e.getMessage(), e));
        }
    }

    /**
     * Starts the replacement worker, or returns null once the lane is stopping. A start that fails
     * (the new worker killed while it boots, a transient fork or memory failure) is tried again after
     * a pause, up to {@link #REPLACEMENT_STARTS} starts in all; only then is the lane down for good.
     *
     * @throws RuntimeException the first start's failure, the later ones suppressed in it
     */
    private Incarnation startReplacement() {
        RuntimeException failure = null;
        for (int attempt = 0; attempt < REPLACEMENT_STARTS; attempt++) {
            if (attempt > 0 && !pauseUnlessStopping(REPLACEMENT_PAUSE.multipliedBy(attempt))) {
                return null;
            }
            if (stopping) {
                return null;
            }
            try {
                return starter.start(index);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
                events.log("lane " + index + " could not start a replacement (start " + (attempt + 1) + " of "
                        + REPLACEMENT_STARTS + "): " + e.getMessage());
            }
        }
        throw failure;
    }

    /** @return false if the lane began stopping during the pause */
    private boolean pauseUnlessStopping(Duration pause) {
        long end = System.nanoTime() + pause.toNanos();
        synchronized (lifecycle) {
            for (long left = pause.toNanos(); !stopping && left > 0; left = end - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lifecycle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !stopping;
        }
    }

    /**
     * Replaces a worker, in this order: kill it; retire its incarnation (no new sends, the pump and
     * waiting threads leave); wait (bounded) for senders still writing into its ring; collect the
     * answers it published (bounded); split its pending calls by its taken position into taken
     * (they fail with {@code reason}) and untaken (resent once, or failed if already resent once);
     * free its memory; start the replacement; resend. The caller has claimed the replacement
     * ({@link #claimReplacement}).
     */
    private void replaceClaimed(Incarnation dead, KnittingException reason) {
        dead.worker().kill();
        dead.retire();
        awaitSends(dead);
        dead.answers().drainRemaining(answers);
        long taken = dead.takenPosition();
        List<PendingCall> untaken = new ArrayList<>();
        for (PendingCall call : pending.snapshot()) {
            if (call.incarnation() != dead || takeBack(call.callId(), false) == null) {
                continue;
            }
            long end = call.requestEnd();
            if (end >= 0 && end < taken) {
                owner.fail(call, reason);
            } else if (call.claimResend()) {
                call.takenBack();
                untaken.add(call);
            } else {
                owner.fail(call, new WorkerCrashedException("lane " + index + " lost a second worker while the call"
                        + " was at it (" + reason.getMessage() + "); a call is resent at most once", null, null, "",
                        reason));
            }
        }
        dead.release();
        owner.workerReplaced(index, reason, untaken.size());
        Incarnation next;
        try {
            next = startReplacement();
        } catch (RuntimeException e) {
            KnittingException failure = new WorkerCrashedException("lane " + index + " lost its worker ("
                    + reason.getMessage() + ") and could not start a replacement: " + e.getMessage(), null, null, "", e);
            synchronized (lifecycle) {
                down = failure;
                lifecycle.notifyAll();
            }
            untaken.forEach(call -> owner.fail(call, failure));
            return;
        }
        if (next == null) {
            untaken.forEach(call -> owner.fail(call, new PoolClosedException("the pool stopped while lane "
                    + index + " was replacing its worker")));
            return;
        }
        boolean installed;
        synchronized (lifecycle) {
            installed = !stopping;
            if (installed) {
                begin(next);
                lifecycle.notifyAll();
            }
        }
        if (!installed) {
            // stop() ran while the replacement started and found no worker to stop: stop it here
            next.requestStop(true);
            if (!next.worker().awaitExit(STOP_WAIT)) {
                next.worker().kill();
            }
            next.retire();
            next.release();
            untaken.forEach(call -> owner.fail(call, new PoolClosedException("the pool stopped while lane "
                    + index + " was replacing its worker")));
            return;
        }
        untaken.forEach(owner::resend);
    }

    // ---------------------------------------------------------------- stop

    /**
     * Stops the worker (it finishes what it has taken) and the pump, and frees the lane. Pending
     * calls must have ended (graceful) or been failed (now) before.
     */
    void stop() {
        Incarnation last;
        synchronized (lifecycle) {
            stopping = true;
            last = current;
            current = null;
            lifecycle.notifyAll();
        }
        if (last == null) {
            return;
        }
        last.requestStop(false);
        if (!last.worker().awaitExit(STOP_WAIT)) {
            last.worker().kill();
        }
        last.retire();
        last.release();
    }

    /** Reports a corrupt response ring of one incarnation, on its pump thread. */
    private final class Corrupted implements java.util.function.Consumer<ProtocolException> {
        private final Incarnation incarnation;

        Corrupted(Incarnation incarnation) {
            this.incarnation = incarnation;
        }

        @Override
        public void accept(ProtocolException e) {
            corrupted(incarnation, e);
        }
    }

    /** Handles the end of one incarnation's worker. */
    private final class WorkerExit implements java.util.function.Consumer<WorkerCrashedException> {
        private final Incarnation incarnation;

        WorkerExit(Incarnation incarnation) {
            this.incarnation = incarnation;
        }

        @Override
        public void accept(WorkerCrashedException crash) {
            onWorkerExit(incarnation, crash);
        }
    }
}
