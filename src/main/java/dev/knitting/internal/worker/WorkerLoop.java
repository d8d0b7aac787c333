package dev.knitting.internal.worker;

import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.share.MappingCache;
import dev.knitting.internal.share.Received;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.share.Transfers;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.knitting.KnittingException;
import dev.knitting.ProtocolException;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.lane.IdleSlices;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageHandler;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MessageSender;
import dev.knitting.internal.lane.MpscRing;
import dev.knitting.internal.os.CurrentProcess;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.task.TaskDefinition;
import dev.knitting.internal.task.TaskTable;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;

/**
 * The worker side of one lane, identical for thread and process workers: attach to the lane
 * memory, run the pool's bootstrap if it has one ({@link WorkerBootstrap}), rebuild and check the
 * task table, publish READY, then take requests, run tasks and write responses until the host asks
 * to stop.
 *
 * <p>Synchronous tasks run on the worker thread one at a time; an async task's stage completes on
 * any thread, which then writes the response itself (the response ring takes many producers).
 * A task's exception, and a result that cannot be encoded, become a FAILURE response: nothing a
 * task does can stop the loop.
 */
public final class WorkerLoop implements Runnable {
    private static final int BATCH = 64;
    /** How often kept buffer mappings are checked for buffers nobody uses any more. */
    private static final long SWEEP_NANOS = 1_000_000;

    private final MemorySegment laneMemory;
    private final WorkerSpec spec;
    private final ClassLoader loader;
    private final Waiter waiter;
    private volatile long runningCallId = -1;
    private boolean wokeHost;
    private boolean pumpWakeOwed;
    private long lastSweep;
    private Thread loopThread;
    private volatile Lane lane;
    private TaskTable table;
    private PayloadDecoder decoder;
    private TypePolicy policy;
    private MessageSender responses;
    private MessageReceiver receiver;
    /** The contexts handed to tasks, one per abort slot (index slot + 1), made once: they hold nothing else. */
    private WorkerContext[] contexts;
    /** Answers a synchronous call running on the loop thread (see {@link #run}); reused call after call. */
    private final LoopAnswer loopAnswer = new LoopAnswer();
    /** Whether the host may still read answers; the response sender's wait for space checks it. */
    private BooleanSupplier hostReads;
    // The loop's callbacks are classes, not lambdas: a cold JVM's first pool runs them on its start path.
    private final MessageHandler onMessage = new MessageHandler() {
        @Override
        public void onMessage(int type, long callId, int taskId, int abortSlot, MemorySegment payload) {
            WorkerLoop.this.onMessage(type, callId, taskId, abortSlot, payload);
        }
    };
    private final ThreadLocal<PayloadEncoder> encoders = new ThreadLocal<>();
    private final Peer host;
    /** Answers whose zero-copy values stay held until the host has read them (see {@link #settleRead}). */
    private final ConcurrentLinkedQueue<HeldAnswer> held = new ConcurrentLinkedQueue<>();

    /**
     * @param laneMemory the lane, formatted by the host
     * @param spec what the host told this worker
     * @param loader where task classes are loaded from
     * @param waiter how to sleep on the lane's doorbells
     * @param host who the host is: this process (thread workers) or another one
     */
    public WorkerLoop(MemorySegment laneMemory, WorkerSpec spec, ClassLoader loader, Waiter waiter, Peer host) {
        this.host = java.util.Objects.requireNonNull(host, "host");
        this.laneMemory = laneMemory;
        this.spec = spec;
        this.loader = loader;
        this.waiter = waiter;
    }

    /** @return the id of the synchronous call running now, or -1 */
    public long runningCallId() {
        return runningCallId;
    }

    @Override
    public void run() {
        WorkerIdentity.markCurrentThreadAsWorker();
        loopThread = Thread.currentThread();
        Lane attached = Lane.attach(laneMemory, waiter);
        this.lane = attached;
        try {
            boot(attached);
            serve(attached);
            attached.workerState(LaneDescriptor.WORKER_STOPPED);
        } catch (RuntimeException | Error e) {
            attached.workerState(LaneDescriptor.WORKER_FAILED);
            throw e;
        } finally {
            settleRead(Long.MAX_VALUE);
        }
    }

    private void boot(Lane attached) {
        policy = TypePolicy.of(loader, spec.allowedPackages());
        decoder = new PayloadDecoder(policy, host);
        receiver = new MessageReceiver(attached.requests(), spec.maxPayloadBytes());
        if (spec.hasBootstrap()) {
            WorkerBootstrap.run(spec, attached, receiver, decoder, loader); // before any task class is resolved
        }
        try {
            table = TaskTable.fromNames(spec.taskNames(), loader);
        } catch (IllegalArgumentException e) {
            throw new KnittingException("worker " + spec.workerIndex() + ": " + e.getMessage(), e);
        }
        if (table.fingerprint() != spec.fingerprint()) {
            throw new KnittingException("worker " + spec.workerIndex() + ": task table fingerprint "
                    + Long.toHexString(table.fingerprint()) + " differs from the host's "
                    + Long.toHexString(spec.fingerprint()) + " (class path mismatch?)");
        }
        IdleStrategy idle = new IdleStrategy(spec.idle());
        responses = new MessageSender(attached.responses(), idle, new WakeHost(), new WakeCollector(attached));
        contexts = new WorkerContext[attached.aborts().capacity() + 1];
        hostReads = new HostReads(attached);
        attached.workerPid(CurrentProcess.pid());
        attached.workerState(LaneDescriptor.WORKER_READY);
        attached.pumpDoorbell().ring(); // the host's start waits on it (a futex wake only if it sleeps)
    }

    private void serve(Lane attached) {
        MpscRing requests = attached.requests();
        IdleStrategy idle = new IdleStrategy(spec.idle());
        // After waking a host thread, do not spin: the woken thread is likely queued on this CPU.
        IdleStrategy afterWake = new IdleStrategy(new dev.knitting.IdlePolicy(java.time.Duration.ZERO,
                Math.min(2, spec.idle().yields()), spec.idle().maxPark()));
        // After a whole park slice without a request, sleep again at once: spinning and yielding
        // only pay right after work, and an idle worker would otherwise spend them at every re-check.
        IdleSlices slices = new IdleSlices(spec.idle().maxPark().toNanos());
        IdleStrategy stillIdle = new IdleStrategy(new dev.knitting.IdlePolicy(java.time.Duration.ZERO, 0,
                slices.longest()));
        // also back to the loop once the host has read an answer whose buffers are still held
        BooleanSupplier wakeReason = new WorkArrived(requests, attached);
        boolean sliceEnded = false;
        while (true) {
            int taken = receiver.poll(onMessage, BATCH);
            if (!held.isEmpty()) {
                settleRead(attached.responses().headPosition());
            }
            if (MappingCache.keepsAny()) { // never on thread workers: no clock read on the hot path
                long now = System.nanoTime();
                if (now - lastSweep > SWEEP_NANOS) {
                    lastSweep = now;
                    MappingCache.sweep(); // kept buffer mappings go once their owner has let go
                }
            }
            if (pumpWakeOwed && !requests.hasCommittedRecord()) {
                pumpWakeOwed = false; // the burst is over: the pump may collect what nobody joined
                VarHandle.fullFence();
                wokeHost |= attached.wakeAnswerCollector();
            }
            int host = attached.hostState();
            if (host == LaneDescriptor.HOST_GONE) {
                return;
            }
            if (taken == 0) {
                if (host == LaneDescriptor.HOST_STOP_REQUESTED) {
                    return;
                }
                IdleStrategy strategy = wokeHost ? afterWake : sliceEnded ? stillIdle : idle;
                wokeHost = false;
                sliceEnded = !strategy.await(wakeReason, requests.dataDoorbell(), slices.current(), attached.workerCpu());
                slices.after(!sliceEnded);
            } else {
                sliceEnded = false;
                slices.worked();
            }
        }
    }

    private void onMessage(int type, long callId, int taskId, int abortSlot, MemorySegment payload) {
        if (type != MessageDescriptor.REQUEST && type != MessageDescriptor.BATCH_REQUEST) {
            throw new ProtocolException("request ring holds a message of type " + type);
        }
        if (lane.hostState() == LaneDescriptor.HOST_GONE) {
            return; // shut down now: the host failed this call already
        }
        // Published before the task runs: if this worker dies, the host fails exactly the calls
        // taken so far and sends the others to the replacement.
        lane.takenPosition(receiver.deliveredPosition() + 1);
        if (taskId < 0 || taskId >= table.size()) {
            respond(callId, abortSlot, ResponseStatus.FAILURE,
                    new ProtocolException("task id " + taskId + " is not in the worker's table of " + table.size()));
            return;
        }
        if (abortSlot < -1 || abortSlot >= lane.aborts().capacity()) {
            respond(callId, -1, ResponseStatus.FAILURE,
                    new ProtocolException("abort slot " + abortSlot + " is outside [-1, " + lane.aborts().capacity() + ")"));
            return;
        }
        Object argument;
        try {
            argument = decoder.decode(payload);
        } catch (KnittingException e) {
            respond(callId, abortSlot, ResponseStatus.FAILURE, e);
            return;
        }
        Received received = decoder.takeReceived();
        if (type == MessageDescriptor.BATCH_REQUEST) {
            if (!(argument instanceof java.util.List<?> elements)) {
                if (received != null) {
                    received.closeBuffers();
                }
                respond(callId, abortSlot, ResponseStatus.FAILURE, new ProtocolException("a batch request carries a "
                        + (argument == null ? "null" : argument.getClass().getName()) + " instead of a list"));
                return;
            }
            runBatch(callId, abortSlot, table.entry(taskId).definition(), elements, received);
            return;
        }
        run(callId, abortSlot, table.entry(taskId).definition(), argument, received);
    }

    /** Runs a chunk of a {@code callAll} ({@link BatchRunner}); its shared buffers are closed once it has answered. */
    private void runBatch(long callId, int abortSlot, TaskDefinition task, java.util.List<?> elements,
                          Received received) {
        WorkerContext context = context(abortSlot);
        runningCallId = callId;
        try {
            BatchRunner.run(task, elements, context, (status, value) -> {
                try {
                    respond(callId, abortSlot, status, value);
                } finally {
                    if (received != null) {
                        received.closeBuffers();
                    }
                }
            });
        } finally {
            runningCallId = -1;
            Thread.interrupted(); // a hard-timeout interrupt must not leak into the next call
        }
    }

    /** Runs a task; the shared buffers its argument carried are closed once it has answered. */
    private void run(long callId, int abortSlot, TaskDefinition task, Object argument, Received received) {
        WorkerContext context = context(abortSlot);
        runningCallId = callId;
        try {
            TaskRunner.run(task, argument, context, received == null && task.kind() != TaskDefinition.Kind.ASYNC
                    ? loopAnswer.to(callId, abortSlot) // answered before run returns: no object per call
                    : received == null
                    ? (status, value) -> respond(callId, abortSlot, status, value)
                    : (status, value) -> {
                        try {
                            respond(callId, abortSlot, status, value);
                        } finally {
                            received.closeBuffers();
                        }
                    });
        } finally {
            runningCallId = -1;
            Thread.interrupted(); // a hard-timeout interrupt must not leak into the next call
        }
    }

    /**
     * The context of a call holding {@code abortSlot} (-1: none), made on first use. Sharing one
     * per slot changes nothing a task can observe: a context holds only the slot, and a context a
     * task kept past its call already read the slot's next holder's flag.
     */
    private WorkerContext context(int abortSlot) {
        WorkerContext context = contexts[abortSlot + 1];
        if (context == null) {
            context = new WorkerContext(lane.aborts(), abortSlot, spec.workerIndex());
            contexts[abortSlot + 1] = context;
        }
        return context;
    }

    /**
     * The answer of a synchronous call without shared buffers, which {@link TaskRunner} sends
     * before it returns, on the loop thread: set to the call just before it runs, so no answer
     * object is made per call.
     */
    private final class LoopAnswer implements TaskRunner.Answer {
        private long callId;
        private int abortSlot;

        LoopAnswer to(long id, int slot) {
            this.callId = id;
            this.abortSlot = slot;
            return this;
        }

        @Override
        public void send(int status, Object value) {
            respond(callId, abortSlot, status, value);
        }
    }

    /**
     * Wakes the host after an answer was committed. While more requests wait, the loop thread wakes
     * only callers asleep in {@code join()} and owes the pump one wake for the end of the burst:
     * waking the pump for every answer of a burst would cost a system call each and a third thread
     * fighting for the CPUs, for answers the callers will collect themselves anyway.
     */
    private boolean wakeHostAfterAnswer() {
        if (Thread.currentThread() == loopThread && lane.requests().hasCommittedRecord()) {
            pumpWakeOwed = true;
            return lane.wakeJoiners();
        }
        return lane.wakeAnswerCollector();
    }

    /** Encodes and sends one response (see {@link ResponseEncoding}). */
    private void respond(long callId, int abortSlot, int status, Object value) {
        PayloadEncoder encoder = encoders.get();
        if (encoder == null) {
            encoder = new PayloadEncoder(policy, host);
            encoders.set(encoder);
        }
        int code = ResponseEncoding.encode(encoder, status, value, spec.maxPayloadBytes());
        Transfers transfers = encoder.takeTransfers();
        Lane attached = lane;
        boolean sent = false;
        if (transfers != null) {
            try {
                transfers.deliver(DescriptorChannel.fromHost()); // before the answer that names them
            } catch (RuntimeException e) {
                transfers.rollback(); // the references stay here; the caller learns why
                respond(callId, abortSlot, ResponseStatus.FAILURE, e);
                return;
            }
        }
        try {
            if (responses.send(MessageDescriptor.RESPONSE, callId, code, abortSlot, encoder.message(), hostReads)) {
                wokeHost = true;
            }
            sent = true;
        } finally {
            encoder.sent();
            if (transfers != null) {
                if (sent) {
                    held.add(new HeldAnswer(attached.responses().tailPosition(), transfers));
                } else {
                    transfers.rollback();
                }
            }
        }
    }

    /**
     * Ends what answers held once the host has read them: it copies every answer out (and maps or
     * claims what it describes) before it frees the answer's ring space, so a head position past an
     * answer means the host is done with it.
     */
    private void settleRead(long headPosition) {
        for (HeldAnswer h = held.peek(); h != null && h.endPosition() <= headPosition; h = held.peek()) {
            if (held.remove(h)) {
                h.transfers().settle();
            }
        }
    }

    private boolean heldAnswerRead(Lane attached) {
        HeldAnswer first = held.peek();
        return first != null && first.endPosition() <= attached.responses().headPosition();
    }

    /** An answer's transfers and the response-ring position its record ends before. */
    private record HeldAnswer(long endPosition, Transfers transfers) {
    }

    /** Wakes the host after an answer; says whether it woke a sleeper. */
    private final class WakeHost implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return wakeHostAfterAnswer();
        }
    }

    /** Wakes every answer collector the last answers may have left asleep (the response ring is full). */
    private record WakeCollector(Lane lane) implements Runnable {
        @Override
        public void run() {
            lane.wakeAnswerCollector();
        }
    }

    /** Whether the host still reads answers. */
    private record HostReads(Lane lane) implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return lane.hostState() != LaneDescriptor.HOST_GONE;
        }
    }

    /**
     * What ends an idle wait: a request, a host state other than running, or the host having read
     * an answer whose buffers are still held.
     */
    private final class WorkArrived implements BooleanSupplier {
        private final MpscRing requests;
        private final Lane lane;

        WorkArrived(MpscRing requests, Lane lane) {
            this.requests = requests;
            this.lane = lane;
        }

        @Override
        public boolean getAsBoolean() {
            return requests.hasCommittedRecord() || lane.hostState() != LaneDescriptor.HOST_RUNNING
                    || heldAnswerRead(lane);
        }
    }
}
