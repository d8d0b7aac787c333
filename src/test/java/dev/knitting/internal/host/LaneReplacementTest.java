package dev.knitting.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.knitting.IdlePolicy;
import dev.knitting.KnittingException;
import dev.knitting.PoolClosedException;
import dev.knitting.PoolStats;
import dev.knitting.Task;
import dev.knitting.TaskCall;
import dev.knitting.WorkerCrashedException;
import dev.knitting.WorkerRuntime;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.lane.PayloadSource;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.observe.PoolEvents;
import dev.knitting.internal.lane.IdleStrategy;
import dev.knitting.internal.lane.Lane;
import dev.knitting.internal.lane.LaneDescriptor;
import dev.knitting.internal.lane.MessageDescriptor;
import dev.knitting.internal.lane.MessageReceiver;
import dev.knitting.internal.lane.MessageSender;
import dev.knitting.internal.os.Waiter;
import dev.knitting.internal.task.ApiAccess;
import dev.knitting.internal.task.TaskEntry;
import dev.knitting.internal.worker.ResponseStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Worker replacement on one {@link HostLane}, step by step, with a fake worker that the test plays
 * itself through the lane memory: it takes requests when told, answers when told, and dies when
 * told (before taking anything, after taking a call, after publishing an answer, again right after
 * its replacement started), while the starter can fail or hold a replacement. Every call must end
 * exactly once, as SPEC 3 says: taken calls fail, untaken calls go to the replacement once.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LaneReplacementTest {
    private static final int CAPACITY = 1 << 14;
    private static final TypePolicy POLICY = TypePolicy.of(null, Set.of());
    private static final TaskEntry ECHO = new TaskEntry(0, "echo",
            ApiAccess.get().definition(Task.of((Object v) -> v)), LaneReplacementTest.class, false);

    private static final PoolEvents EVENTS = new PoolEvents("lane-replacement-test", WorkerRuntime.THREAD, 1, false,
            () -> new PoolStats(0, 0, 0, List.of(), 0));

    private final ScriptedStarter starter = new ScriptedStarter();
    private final RecordingOwner owner = new RecordingOwner();
    private HostLane lane;

    @Test
    void callsAWorkerDiedBeforeTakingGoToTheReplacement() {
        lane = HostLane.start(0, owner, starter, EVENTS);
        List<TaskCall<Object>> calls = submit(3);

        starter.worker(0).die();

        FakeWorker next = starter.awaitWorker(1);
        next.serveAll();
        assertThat(joinAll(calls)).containsExactly("call-0", "call-1", "call-2");
        assertThat(owner.replaced.get()).isEqualTo(1);
    }

    @Test
    void aCallTheWorkerTookFailsAndTheOthersGoToTheReplacement() {
        lane = HostLane.start(0, owner, starter, EVENTS);
        List<TaskCall<Object>> calls = submit(3);
        FakeWorker first = starter.worker(0);

        first.take(1);
        first.die();

        FakeWorker next = starter.awaitWorker(1);
        next.serveAll();
        assertThat(failureOf(calls.get(0))).isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("fake worker 0 died");
        assertThat(calls.get(1).join()).isEqualTo("call-1");
        assertThat(calls.get(2).join()).isEqualTo("call-2");
    }

    @Test
    void anAnswerPublishedBeforeTheWorkerDiedStillCounts() {
        lane = HostLane.start(0, owner, starter, EVENTS);
        List<TaskCall<Object>> calls = submit(2);
        FakeWorker first = starter.worker(0);

        first.take(2);
        first.answerTaken(1);
        first.die();

        assertThat(calls.get(0).join()).isEqualTo("call-0");
        assertThat(failureOf(calls.get(1))).isInstanceOf(WorkerCrashedException.class);
        starter.awaitWorker(1);
    }

    @Test
    void aReplacementWhoseFirstStartFailsIsStartedAgainAndGetsTheUntakenCalls() {
        starter.failStarts(1, 2);
        lane = HostLane.start(0, owner, starter, EVENTS);
        List<TaskCall<Object>> calls = submit(2);

        starter.worker(0).die();
        FakeWorker replacement = starter.awaitWorker(1);
        replacement.awaitQueued(2);
        replacement.serveAll();

        assertThat(calls).extracting(TaskCall::join).containsExactly("call-0", "call-1");
        assertThat(lane.accepting()).isTrue();
    }

    @Test
    void aReplacementThatCannotStartFailsTheUntakenCallsAndTheLaneStaysDown() {
        starter.failStarts(1, 1 + HostLane.REPLACEMENT_STARTS);
        lane = HostLane.start(0, owner, starter, EVENTS);
        List<TaskCall<Object>> calls = submit(2);

        starter.worker(0).die();

        for (TaskCall<Object> call : calls) {
            assertThat(failureOf(call)).isInstanceOf(WorkerCrashedException.class)
                    .hasMessageContaining("could not start a replacement");
            assertThat(failureOf(call).getCause().getSuppressed()).hasSize(HostLane.REPLACEMENT_STARTS - 1);
        }
        assertThat(lane.accepting()).isFalse();
        PendingCall late = newCall();
        assertThatThrownBy(() -> lane.submit(late, 0, PayloadSource.of(payload("late"))))
                .isInstanceOf(WorkerCrashedException.class);
    }

    @Test
    void aCallWhoseReplacementAlsoDiesBeforeTakingItIsNotResentASecondTime() {
        lane = HostLane.start(0, owner, starter, EVENTS);
        List<TaskCall<Object>> calls = submit(1);

        starter.worker(0).die();
        starter.awaitWorker(1).awaitQueued(1);
        starter.worker(1).die();

        assertThat(failureOf(calls.get(0))).isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("resent at most once");
        FakeWorker third = starter.awaitWorker(2);
        List<TaskCall<Object>> after = submit(1);
        third.serveAll();
        assertThat(after.getFirst().join()).isEqualTo("call-0");
        assertThat(owner.replaced.get()).isEqualTo(2);
    }

    @Test
    void stoppingWhileTheReplacementStartsFailsTheUntakenCallsAndStopsTheReplacement() throws Exception {
        CountDownLatch release = starter.holdStart(1);
        lane = HostLane.start(0, owner, starter, EVENTS);
        List<TaskCall<Object>> calls = submit(2);

        starter.worker(0).die();
        starter.awaitStartEntered(1);
        lane.refuseNewCalls();
        lane.failAll(call -> new PoolClosedException("stopped by the test"));
        lane.stop();
        release.countDown();

        for (TaskCall<Object> call : calls) {
            assertThat(failureOf(call)).isInstanceOf(PoolClosedException.class);
        }
        FakeWorker replacement = starter.awaitWorker(1);
        await("the replacement to be stopped", () -> !replacement.isAlive());
        assertThat(owner.ends.get()).isEqualTo(2);
    }

    @AfterEach
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stop() {
        if (lane != null) {
            lane.refuseNewCalls();
            lane.failAll(call -> new PoolClosedException("test over"));
            lane.stop();
        }
        starter.killAll();
    }

    // ---------------------------------------------------------------- calls

    private List<TaskCall<Object>> submit(int count) {
        List<TaskCall<Object>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PendingCall call = newCall();
            owner.remember(call, "call-" + i);
            lane.submit(call, 0, PayloadSource.of(payload("call-" + i)));
            calls.add(call.future());
        }
        return calls;
    }

    private static PendingCall newCall() {
        PendingCall call = new PendingCall();
        call.bind(ApiAccess.get().newCall(call));
        call.task(ECHO);
        return call;
    }

    private static MemorySegment payload(Object value) {
        PayloadEncoder encoder = new PayloadEncoder(POLICY);
        encoder.encode(value, 1 << 20);
        MemorySegment encoded = encoder.encoded();
        MemorySegment copy = Arena.ofAuto().allocate(encoded.byteSize());
        copy.copyFrom(encoded);
        return copy;
    }

    private static List<Object> joinAll(List<TaskCall<Object>> calls) {
        return calls.stream().map(TaskCall::join).toList();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        try {
            Object value = future.join();
            throw new AssertionError("expected a failure, got " + value);
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    // ---------------------------------------------------------------- the pool's side

    /** The pool as the lane sees it: decodes answers, ends calls, resends the argument it kept. */
    private final class RecordingOwner implements CallOwner {
        final AtomicInteger replaced = new AtomicInteger();
        final AtomicInteger ends = new AtomicInteger();
        private final java.util.Map<PendingCall, String> arguments = new java.util.concurrent.ConcurrentHashMap<>();

        void remember(PendingCall call, String argument) {
            arguments.put(call, argument);
        }

        @Override
        public void answer(PendingCall call, int status, MemorySegment payload) {
            Object value = new PayloadDecoder(POLICY).decode(payload);
            if (call.markEnded()) {
                ends.incrementAndGet();
                call.future().complete(value);
            }
        }

        @Override
        public void fail(PendingCall call, Throwable failure) {
            if (call.markEnded()) {
                ends.incrementAndGet();
                call.future().completeExceptionally(failure);
            }
        }

        @Override
        public void resend(PendingCall call) {
            try {
                call.lane().submit(call, 0, PayloadSource.of(payload(arguments.get(call))));
            } catch (KnittingException e) {
                fail(call, e);
            }
        }

        @Override
        public void workerReplaced(int laneIndex, Throwable reason, int resent) {
            replaced.incrementAndGet();
        }
    }

    // ---------------------------------------------------------------- the fake worker

    /** Starts fake workers over real lane memory; start N may fail, or wait for the test. */
    private static final class ScriptedStarter implements WorkerStarter {
        private final List<FakeWorker> workers = new CopyOnWriteArrayList<>();
        private final AtomicInteger starts = new AtomicInteger();
        private volatile int failFrom = -1;
        private volatile int failTo = -1;
        private volatile int holding = -1;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch entered = new CountDownLatch(1);

        /** Starts {@code from} to {@code to - 1} (counted from 0, the first worker) fail. */
        void failStarts(int from, int to) {
            failFrom = from;
            failTo = to;
        }

        CountDownLatch holdStart(int n) {
            holding = n;
            return held;
        }

        void awaitStartEntered(int n) throws InterruptedException {
            assertThat(n).isEqualTo(holding);
            assertThat(entered.await(30, TimeUnit.SECONDS)).as("start %d entered", n).isTrue();
        }

        @Override
        public Incarnation start(int index) {
            int n = starts.getAndIncrement();
            if (n >= failFrom && n < failTo) {
                throw new KnittingException("start " + n + " fails on purpose");
            }
            if (n == holding) {
                entered.countDown();
                try {
                    held.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            long bytes = Lane.requiredBytes(CAPACITY, CAPACITY, 8);
            LaneMemory memory = LaneMemory.forThreadWorker(bytes);
            Lane laneMemory = Lane.format(memory.segment(), CAPACITY, CAPACITY, 8, Waiter.platform());
            Incarnation incarnation = new Incarnation(index, memory, laneMemory, IdlePolicy.BALANCED, 1 << 20);
            FakeWorker worker = new FakeWorker(n, laneMemory, memory);
            incarnation.worker(worker);
            laneMemory.workerState(LaneDescriptor.WORKER_READY);
            workers.add(worker);
            return incarnation;
        }

        @Override
        public String name(int index) {
            return "fake-" + index;
        }

        FakeWorker worker(int n) {
            return workers.get(n);
        }

        FakeWorker awaitWorker(int n) {
            await("fake worker " + n + " to start", () -> workers.size() > n);
            return workers.get(n);
        }

        void killAll() {
            workers.forEach(FakeWorker::kill);
        }
    }

    /**
     * The test's hands in a worker's place: it reads the request ring, moves the taken position,
     * writes answers, and dies, only when told.
     */
    private static final class FakeWorker implements WorkerHandle {
        private final int number;
        private final Lane lane;
        private final LaneMemory memory;
        private final MessageReceiver requests;
        private final MessageSender answers;
        private final List<long[]> taken = new ArrayList<>();
        private final List<String> arguments = new ArrayList<>();
        private final CompletableFuture<WorkerCrashedException> exited = new CompletableFuture<>();

        FakeWorker(int number, Lane lane, LaneMemory memory) {
            this.number = number;
            this.lane = lane;
            this.memory = memory;
            this.requests = new MessageReceiver(lane.requests(), 1 << 20);
            this.answers = new MessageSender(lane.responses(), new IdleStrategy(IdlePolicy.BALANCED));
        }

        /** Takes {@code count} requests, waiting for them; the taken position passes each. */
        synchronized void take(int count) {
            for (int i = 0; i < count; i++) {
                await("a request for fake worker " + number, () -> poll() > 0);
            }
        }

        /** Reads one request and, as a real worker does before running it, moves the taken position past it. */
        private int poll() {
            return requests.poll((type, callId, code, abortSlot, payload) -> {
                if (type == MessageDescriptor.REQUEST) {
                    taken.add(new long[] {callId});
                    arguments.add((String) new PayloadDecoder(POLICY).decode(payload));
                    lane.takenPosition(requests.deliveredPosition() + 1);
                }
            }, 1);
        }

        /** Waits until {@code count} requests are committed in the ring, without taking them. */
        void awaitQueued(int count) {
            await(count + " requests queued for fake worker " + number,
                    () -> lane.requests().tailPosition() > lane.requests().headPosition() + count - 1);
        }

        /** Answers the first {@code count} taken calls with their own argument. */
        synchronized void answerTaken(int count) {
            for (int i = 0; i < count; i++) {
                answers.send(MessageDescriptor.RESPONSE, taken.get(i)[0], ResponseStatus.VALUE,
                        MessageDescriptor.NO_ABORT_SLOT, payload(arguments.get(i)), () -> true);
            }
            lane.wakeAnswerCollector();
        }

        /** Takes and answers every request that arrives until the lane has none pending for a moment. */
        synchronized void serveAll() {
            long quietSince = System.nanoTime();
            int answered = taken.size();
            while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(500)) {
                if (poll() > 0) {
                    int i = taken.size() - 1;
                    answers.send(MessageDescriptor.RESPONSE, taken.get(i)[0], ResponseStatus.VALUE,
                            MessageDescriptor.NO_ABORT_SLOT, payload(arguments.get(i)), () -> true);
                    lane.wakeAnswerCollector();
                    quietSince = System.nanoTime();
                    answered++;
                } else {
                    LockSupport.parkNanos(200_000);
                }
            }
            assertThat(answered).isPositive();
        }

        /** Dies: the host learns it through {@link #exited()}, as from a real worker's exit. */
        void die() {
            end("fake worker " + number + " died");
        }

        private void end(String why) {
            if (exited.complete(new WorkerCrashedException(why, null, null, "", null))) {
                memory.release(); // the worker's share, as a thread worker gives it back when it ends
            }
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public boolean isAlive() {
            return !exited.isDone();
        }

        @Override
        public CompletableFuture<WorkerCrashedException> exited() {
            return exited;
        }

        @Override
        public void stopRunaway(long callId) {
            kill();
        }

        @Override
        public void kill() {
            end("fake worker " + number + " killed");
        }

        /** A fake worker asked to stop exits at once. */
        @Override
        public boolean awaitExit(Duration timeout) {
            end("fake worker " + number + " stopped");
            return true;
        }
    }
}
