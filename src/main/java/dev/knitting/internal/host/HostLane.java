package dev.knitting.internal.host;

import dev.knitting.AbortCapacityException;
import dev.knitting.KnittingException;
import dev.knitting.PoolClosedException;
import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.WorkerCrashedException;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageHandler;
import dev.knitting.internal.observe.CallTrace;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    /** Longest wait for senders still writing into a retired incarnation's ring. */
    private static final Duration SEND_SETTLE_WAIT = Duration.ofSeconds(10);

    private final int index;
    private final PoolRuntime runtime;
    private final WorkerStarter starter;
    private final PendingTable pending = new PendingTable();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong nextCallId = new AtomicLong();
    private final MessageHandler answers = this::onAnswer;
    private final Object lifecycle = new Object();
    private volatile Incarnation current;
    private volatile boolean stopping;
    private volatile KnittingException down;

    private HostLane(int index, PoolRuntime runtime, WorkerStarter starter) {
        this.index = index;
        this.runtime = runtime;
        this.starter = starter;
    }

    /** Starts the lane's first worker and waits until it is ready. */
    static HostLane start(int index, PoolRuntime runtime, WorkerStarter starter) {
        HostLane lane = new HostLane(index, runtime, starter);
        lane.begin(starter.start(index));
        return lane;
    }

    private void begin(Incarnation incarnation) {
        current = incarnation;
        runtime.events().workerStarted(index, starter.name(index), incarnation.worker().pid());
        incarnation.startPump(starter.name(index) + "-answers", answers, e -> corrupted(incarnation, e));
        incarnation.worker().exited().thenAccept(crash -> onWorkerExit(incarnation, crash));
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
     * replacement worker starts.
     *
     * @throws AbortCapacityException if the call needs an abort slot and none is free
     * @throws PoolClosedException if the lane stopped before the request could be written
     */
    void submit(PendingCall call, int taskId, MemorySegment payload) {
        while (true) {
            Incarnation target = awaitIncarnation();
            call.unanswered();
            int slot = -1;
            if (call.task().definition().abortAware()) {
                slot = target.tryAcquireAbortSlot();
                if (slot < 0) {
                    throw new AbortCapacityException("all " + target.abortCapacity() + " abort slots of lane " + index
                            + " are held by running calls (abortSignalCapacity)");
                }
            }
            long id = nextCallId.incrementAndGet();
            call.dispatched(this, target, id, slot); // SENDING until sendFinished
            int sent;
            try {
                pending.put(id, call);
                inFlight.incrementAndGet();
                if (stopping) {
                    // shutdownNow raced with us: it sets stopping before it takes every pending call
                    // back, so either it saw this call or we see stopping here.
                    if (pending.remove(id) != null) {
                        call.answered();
                        target.releaseAbortSlot(slot);
                        inFlight.decrementAndGet();
                    }
                    throw new PoolClosedException("lane " + index + " is stopping");
                }
                CallTrace.toLane(call.trace(), index, payload);
                sent = target.send(call, id, taskId, slot, payload);
            } finally {
                call.sendFinished();
            }
            if (sent != Incarnation.NOT_SENT) {
                call.workerWasAsleep(sent == Incarnation.SENT_WOKE_WORKER);
                if (call.abortRequested()) {
                    call.raiseAbortFlag();
                }
                return;
            }
            // The worker died before the request was committed: take it back, try the replacement.
            if (pending.remove(id) != null) {
                call.answered();
                inFlight.decrementAndGet();
            } else {
                return; // already failed by shutdownNow
            }
        }
    }

    private Incarnation awaitIncarnation() {
        Incarnation now = current;
        if (now != null && now.alive() && !stopping) {
            return now;
        }
        synchronized (lifecycle) {
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
                try {
                    lifecycle.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PoolClosedException("interrupted while lane " + index + " restarts its worker");
                }
            }
        }
    }

    private void onAnswer(int type, long callId, int status, int abortSlot, MemorySegment payload) {
        if (type != MessageDescriptor.RESPONSE) {
            throw new ProtocolException("response ring of lane " + index + " holds a message of type " + type);
        }
        PendingCall call = pending.remove(callId);
        if (call == null) {
            return; // no such call: a forged or repeated id; its owner has ended already
        }
        call.answered();
        call.incarnation().releaseAbortSlot(call.abortSlot());
        inFlight.decrementAndGet();
        runtime.answer(call, status, payload);
    }

    /** Spins and sleeps until the call is done, collecting answers; follows the call if it moves. */
    void helpUntilDone(PendingCall call) {
        TaskCall<?> future = call.future();
        while (!future.isDone()) {
            Incarnation at = call.incarnation();
            if (at == null || !at.alive()) {
                return;
            }
            at.helpUntilDone(future, call.workerWasAsleep(), call.requestEnd(), answers);
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

    /** Stops a call that ran past the hard timeout (see {@link WorkerHandle#stopRunaway}). */
    void stopRunaway(PendingCall call) {
        Incarnation at = call.incarnation();
        if (at != null && at.alive() && hasTaken(call)) {
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
            if (pending.remove(call.callId()) != null) {
                taken.add(call);
            }
        }
        for (PendingCall call : taken) {
            call.raiseAbortFlag();
            call.answered();
            call.incarnation().releaseAbortSlot(call.abortSlot());
            inFlight.decrementAndGet();
            runtime.fail(call, reason.apply(call));
        }
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
        runtime.events().workerExited(index, incarnation.worker().pid(), crash, stopping);
        if (stopping || current != incarnation) {
            return;
        }
        Thread restarter = new Thread(() -> replace(incarnation, crash), starter.name(index) + "-restart");
        restarter.setDaemon(true);
        restarter.start();
    }

    /** Retires a corrupt incarnation: its worker is killed and replaced like a crashed one. */
    private void corrupted(Incarnation incarnation, ProtocolException e) {
        replace(incarnation, new ProtocolException("lane " + index + " is corrupt: " + e.getMessage(), e));
    }

    private void replace(Incarnation dead, KnittingException reason) {
        synchronized (lifecycle) {
            if (stopping || current != dead) {
                return;
            }
            current = null;
        }
        dead.worker().kill();
        dead.retire();
        awaitSends(dead);
        dead.drainRemaining(answers);
        long taken = dead.takenPosition();
        List<PendingCall> untaken = new ArrayList<>();
        for (PendingCall call : pending.snapshot()) {
            if (call.incarnation() != dead || pending.remove(call.callId()) == null) {
                continue;
            }
            call.answered();
            inFlight.decrementAndGet();
            long end = call.requestEnd();
            if (end >= 0 && end < taken) {
                runtime.fail(call, reason);
            } else {
                untaken.add(call);
            }
        }
        dead.release();
        runtime.workerLost(index, reason, untaken.size());
        Incarnation next;
        try {
            next = stopping ? null : starter.start(index);
        } catch (RuntimeException e) {
            KnittingException failure = new WorkerCrashedException("lane " + index + " lost its worker ("
                    + reason.getMessage() + ") and could not start a replacement: " + e.getMessage(), null, null, "", e);
            synchronized (lifecycle) {
                down = failure;
                lifecycle.notifyAll();
            }
            untaken.forEach(call -> runtime.fail(call, failure));
            return;
        }
        if (next == null) {
            untaken.forEach(call -> runtime.fail(call, new PoolClosedException("the pool stopped while lane "
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
            untaken.forEach(call -> runtime.fail(call, new PoolClosedException("the pool stopped while lane "
                    + index + " was replacing its worker")));
            return;
        }
        untaken.forEach(runtime::resend);
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
}
