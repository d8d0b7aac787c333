package dev.knitting.internal.host;

import dev.knitting.AbortCapacityException;
import dev.knitting.IdlePolicy;
import dev.knitting.KnittingException;
import dev.knitting.PoolClosedException;
import dev.knitting.TaskCall;
import dev.knitting.internal.lane.AbortSlotAllocator;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MessageSender;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.worker.ResponseEncoding;
import dev.knitting.internal.worker.WorkerLoop;
import dev.knitting.internal.worker.WorkerSpec;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The host side of one lane: publishes requests into the lane's request ring, collects answers
 * from its response ring and completes the pending calls.
 *
 * <p>Answers are collected by whoever gets there first: a caller spinning in {@code join()}, or
 * the lane's pump thread, which sleeps on the response ring's doorbell. The {@code draining} flag
 * admits one collector at a time; a collector re-checks the ring after letting go, so an answer
 * published while another thread held the flag is never left behind.
 */
final class HostLane {
    private static final int DRAIN_BATCH = 256;
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final int index;
    private final PoolRuntime runtime;
    private final LaneMemory memory;
    private final Lane lane;
    private final MessageSender requests;
    private final MessageReceiver responses;
    private final AbortSlotAllocator abortSlots;
    private final ConcurrentHashMap<Long, PendingCall> pending = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong nextCallId = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger activeSenders = new AtomicInteger();
    private final AtomicInteger sleepingJoiners = new AtomicInteger();
    private final IdlePolicy idle;
    private final long spinNanos;
    private final Thread pump;
    private WorkerHandle worker;
    private volatile boolean closing;
    private volatile boolean up = true;

    private HostLane(int index, PoolRuntime runtime, LaneMemory memory, Lane lane, IdlePolicy idle,
                     long maxPayloadBytes, String name) {
        this.index = index;
        this.runtime = runtime;
        this.memory = memory;
        this.lane = lane;
        this.idle = idle;
        this.spinNanos = idle.spin().toNanos();
        this.requests = new MessageSender(lane.requests(), new IdleStrategy(idle));
        this.responses = new MessageReceiver(lane.responses(),
                Math.max(maxPayloadBytes, ResponseEncoding.FAILURE_PAYLOAD_FLOOR));
        this.abortSlots = new AbortSlotAllocator(lane.aborts());
        this.pump = new Thread(this::pumpLoop, name + "-answers");
        pump.setDaemon(true);
    }

    /** Formats lane memory, starts a thread worker on it and waits until it is ready. */
    static HostLane startThreadLane(int index, PoolRuntime runtime, PoolConfigView config, WorkerSpec spec,
                                    ClassLoader loader) {
        long bytes = Lane.requiredBytes(config.laneCapacity(), config.laneCapacity(), config.abortCapacity());
        LaneMemory memory = LaneMemory.forThreadWorker(bytes);
        Waiter waiter = Waiter.platform();
        Lane lane;
        try {
            lane = Lane.format(memory.segment(), config.laneCapacity(), config.laneCapacity(),
                    config.abortCapacity(), waiter);
            lane.hostPid(ProcessHandle.current().pid());
        } catch (RuntimeException | Error e) {
            memory.release();
            memory.release();
            throw e;
        }
        String name = config.name() + "-worker-" + index;
        HostLane host = new HostLane(index, runtime, memory, lane, config.idle(), spec.maxPayloadBytes(), name);
        ThreadWorker worker = new ThreadWorker(name, new WorkerLoop(memory.segment(), spec, loader, waiter), memory);
        host.worker = worker;
        worker.start();
        host.awaitReady(config.startTimeout());
        host.pump.start();
        return host;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lane.workerState() != LaneDescriptor.WORKER_READY) {
            if (!worker.isAlive() || lane.workerState() == LaneDescriptor.WORKER_FAILED) {
                Throwable why = worker.failure();
                closeMemory();
                throw new KnittingException("worker " + index + " failed to start: "
                        + (why == null ? "it exited" : why.getMessage()), why);
            }
            if (System.nanoTime() > deadline) {
                lane.hostState(LaneDescriptor.HOST_GONE);
                closeMemory();
                throw new KnittingException("worker " + index + " did not become ready within " + timeout);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    int index() {
        return index;
    }

    int inFlight() {
        return inFlight.get();
    }

    boolean isUp() {
        return up;
    }

    /**
     * Publishes the call's request; blocks while the request ring is full (backpressure).
     *
     * @throws AbortCapacityException if the call needs an abort slot and none is free
     * @throws PoolClosedException if the lane closed before the request could be written
     */
    void submit(PendingCall call, int taskId, MemorySegment payload) {
        int slot = -1;
        if (call.task().definition().abortAware()) {
            slot = abortSlots.tryAcquire();
            if (slot < 0) {
                throw new AbortCapacityException("all " + lane.aborts().capacity()
                        + " abort slots of lane " + index + " are held by running calls (abortSignalCapacity)");
            }
        }
        long id = nextCallId.incrementAndGet();
        call.dispatched(this, id, slot);
        pending.put(id, call);
        inFlight.incrementAndGet();
        activeSenders.incrementAndGet();
        try {
            if (closing) {
                throw new PoolClosedException("lane " + index + " is closing");
            }
            requests.send(MessageDescriptor.REQUEST, id, taskId, slot, payload, () -> !closing);
        } catch (RuntimeException e) {
            if (pending.remove(id) != null) {
                call.answered();
                releaseSlot(slot);
                inFlight.decrementAndGet();
            }
            throw e instanceof KnittingException ke && !(e instanceof PoolClosedException)
                    ? new PoolClosedException("lane " + index + " closed before the call was sent: " + ke.getMessage())
                    : e;
        } finally {
            activeSenders.decrementAndGet();
        }
        if (call.abortRequested()) {
            call.raiseAbortFlag();
        }
    }

    void raiseAbort(int slot) {
        lane.aborts().raise(slot);
    }

    /**
     * Waits for a call at this lane's worker without the pump: spins helping collect answers (as a
     * collector, so the worker skips the wake-up), yields, then sleeps on the answer doorbell itself
     * until the call is done. A call completed by another thread (an answer it collected, a timeout,
     * a cancel) wakes sleeping joiners through {@link #wakeSleepingJoiners()}.
     */
    void helpUntilDone(TaskCall<?> call) {
        if (!up) {
            return;
        }
        try {
            spinUntilDone(call);
            if (!call.isDone()) {
                sleepUntilDone(call);
            }
        } catch (IllegalStateException closed) {
            // lane memory already released by a shutdown: the call ends through the pool
        }
    }

    private void spinUntilDone(TaskCall<?> call) {
        long deadline = System.nanoTime() + spinNanos;
        int spins = 0;
        lane.addCollectors(1);
        try {
            while (!call.isDone()) {
                if (drain()) {
                    continue;
                }
                Thread.onSpinWait();
                if ((++spins & 63) == 0 && System.nanoTime() - deadline > 0) {
                    break;
                }
            }
            for (int y = 0; y < idle.yields() && !call.isDone(); y++) {
                Thread.yield();
                drain();
            }
        } finally {
            leaveCollectors();
        }
    }

    private void sleepUntilDone(TaskCall<?> call) {
        MpscRing ring = lane.responses();
        long slice = idle.maxPark().toNanos();
        Thread self = Thread.currentThread();
        sleepingJoiners.incrementAndGet();
        try {
            while (!call.isDone() && up && !self.isInterrupted()) {
                if (!drain()) {
                    ring.dataDoorbell().sleep(() -> call.isDone() || ring.hasCommittedRecord() || !up
                            || self.isInterrupted(), slice);
                }
            }
        } finally {
            sleepingJoiners.decrementAndGet();
        }
    }

    /** Wakes joiners asleep on the answer doorbell; called whenever a call of this lane completes. */
    void wakeSleepingJoiners() {
        if (sleepingJoiners.get() > 0) {
            try {
                lane.responses().dataDoorbell().ring();
            } catch (IllegalStateException closed) {
                // lane memory already released
            }
        }
    }

    /** Stops counting as a collector, then collects once more: answers published meanwhile were not rung. */
    private void leaveCollectors() {
        try {
            lane.addCollectors(-1);
            drain();
        } catch (IllegalStateException closed) {
            // lane memory released by shutdown
        }
    }

    /** Collects every answer available now. @return whether any was collected */
    boolean drain() {
        boolean any = false;
        MpscRing ring = lane.responses();
        do {
            if (!draining.compareAndSet(false, true)) {
                return any;
            }
            try {
                int n;
                do {
                    n = responses.poll(this::onResponse, DRAIN_BATCH);
                    any |= n > 0;
                } while (n > 0);
            } catch (KnittingException | IllegalStateException e) {
                corrupted(e);
                return any;
            } finally {
                draining.set(false);
            }
        } while (ring.hasCommittedRecord() && up);
        return any;
    }

    private void onResponse(int type, long callId, int status, int abortSlot, MemorySegment payload) {
        if (type != MessageDescriptor.RESPONSE) {
            throw new dev.knitting.ProtocolException("response ring of lane " + index + " holds a message of type " + type);
        }
        PendingCall call = pending.remove(callId);
        if (call == null) {
            return; // no such call: forged or duplicate; its owner already ended
        }
        call.answered();
        releaseSlot(call.abortSlot());
        inFlight.decrementAndGet();
        runtime.answer(call, status, payload);
    }

    private void releaseSlot(int slot) {
        if (slot >= 0) {
            abortSlots.release(slot);
        }
    }

    private void pumpLoop() {
        IdleStrategy strategy = new IdleStrategy(new IdlePolicy(Duration.ZERO, 0, idle.maxPark()));
        MpscRing ring = lane.responses();
        long slice = idle.maxPark().toNanos();
        while (up || !pending.isEmpty()) {
            if (!drain()) {
                if (!up) {
                    return;
                }
                checkWorker();
                strategy.await(() -> ring.hasCommittedRecord() || !up, ring.dataDoorbell(), slice);
            }
        }
    }

    /** A worker that ended on its own fails the calls it held. */
    private void checkWorker() {
        if (up && !closing && !worker.isAlive()) {
            drain();
            Throwable why = worker.failure();
            failAll(c -> runtime.crashed(index, why));
            up = false;
            runtime.laneDown(this, why);
        }
    }

    private void corrupted(Throwable e) {
        if (!up) {
            return;
        }
        up = false;
        lane.hostState(LaneDescriptor.HOST_STOP_REQUESTED);
        failAll(c -> new dev.knitting.ProtocolException("lane " + index + " is corrupt: " + e.getMessage(), e));
        runtime.laneDown(this, e);
    }

    /** Interrupts the worker if it is running this call (hard timeout of a thread worker). */
    void interruptIfRunning(PendingCall call) {
        worker.interruptIfRunning(call.callId());
    }

    /** Removes every pending call and ends each with the exception {@code reason} gives. */
    void failAll(Function<PendingCall, Throwable> reason) {
        List<PendingCall> calls = new ArrayList<>(pending.values());
        for (PendingCall call : calls) {
            if (pending.remove(call.callId()) != null) {
                call.raiseAbortFlag();
                call.answered();
                releaseSlot(call.abortSlot());
                inFlight.decrementAndGet();
                runtime.fail(call, reason.apply(call));
            }
        }
    }

    /**
     * Stops the worker and the pump and frees the lane once both have let go. Pending calls must
     * have ended (graceful) or been failed (now) before.
     */
    void stop() {
        closing = true;
        lane.hostState(LaneDescriptor.HOST_STOP_REQUESTED);
        lane.requests().dataDoorbell().ring();
        lane.requests().spaceDoorbell().ring();
        boolean exited = worker.awaitExit(STOP_WAIT);
        up = false;
        lane.responses().dataDoorbell().ring();
        joinQuietly(pump);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (activeSenders.get() > 0 && System.nanoTime() < deadline) {
            lane.requests().spaceDoorbell().ring();
            Thread.yield();
        }
        if (!exited) {
            lane.hostState(LaneDescriptor.HOST_GONE);
        }
        memory.release();
    }

    private void closeMemory() {
        memory.release();
    }

    private static void joinQuietly(Thread thread) {
        if (thread == Thread.currentThread() || !thread.isAlive() && thread.getState() == Thread.State.NEW) {
            return;
        }
        try {
            thread.join(STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The configuration a lane needs, resolved by the runtime. */
    record PoolConfigView(String name, int laneCapacity, int abortCapacity, IdlePolicy idle, Duration startTimeout) {
    }
}
