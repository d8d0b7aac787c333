package dev.knitting.internal.host;

import dev.knitting.KnittingException;
import dev.knitting.PayloadException;
import dev.knitting.Pool;
import dev.knitting.PoolClosedException;
import dev.knitting.PoolStats;
import dev.knitting.Task;
import dev.knitting.TaskCall;
import dev.knitting.TaskFunction;
import dev.knitting.WorkerRuntime;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.codec.Peer;
import dev.knitting.internal.share.Transfers;
import dev.knitting.internal.share.Transit;
import dev.knitting.internal.codec.TypePolicy;
import dev.knitting.internal.observe.PoolEvents;
import dev.knitting.internal.task.ApiAccess;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec;
import dev.knitting.internal.task.TaskEntry;
import dev.knitting.internal.os.Platforms;
import dev.knitting.internal.task.TaskTable;
import dev.knitting.internal.spawn.HostWatch;
import dev.knitting.internal.spawn.WorkerEnv;
import dev.knitting.internal.worker.WorkerSpec;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A running pool: admits calls, encodes their arguments, picks lanes and sends, resends calls a
 * lost worker had not taken, and shuts down. Calls end in {@link CallCompletion}, their clocks run
 * in {@link CallTimeouts}, and each lane ({@link HostLane}) hands calls back only through the
 * narrow {@link CallOwner}.
 *
 * <p>Lifecycle ({@code state}): RUNNING -> DRAINING (shutdown: no new calls, submitted ones
 * finish) -> STOPPING (lanes being stopped) -> TERMINATED; shutdownNow goes straight to STOPPING
 * after failing every pending call. A call is admitted by counting it outstanding and then
 * checking the state, and shutdown sets the state and then checks the count, so whichever side
 * sees zero last starts the stop, exactly once.
 */
public final class PoolRuntime implements Pool {
    private static final int RUNNING = 0;
    private static final int DRAINING = 1;
    private static final int STOPPING = 2;
    private static final int TERMINATED = 3;
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final PoolConfigFacts facts;
    private final TaskTable table;
    private final TypePolicy policy;
    private final BootstrapHandoff bootstrap;
    private final WorkerClasses workerClasses;
    private final HostLane[] lanes;
    private final InlineLane inline;
    private final LaneBalancer balancer;
    private final CallTimer timer;
    private final CallTimeouts timeouts;
    private final PoolEvents events;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final CallCompletion completion;
    private final LaneCalls laneCalls = new LaneCalls();
    private final LongAdder submitted = new LongAdder();
    private final AtomicLong workerRestarts = new AtomicLong();
    private final Set<PendingCall> awaitingArgument = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final CodecStock<PayloadEncoder> encoders;
    private final CodecStock<PayloadDecoder> decoders;
    /** References moving between callers and thread workers; freed when the pool has stopped. */
    private final Transit transit = new Transit();

    private PoolRuntime(PoolConfig config, TaskTable table, String name) {
        this.table = table;
        Set<String> packages = new HashSet<>(table.packages());
        packages.addAll(config.extraPackages());
        ClassLoader loader = hostLoader(table);
        this.policy = TypePolicy.of(loader, packages);
        Peer peer = config.runtime() == WorkerRuntime.PROCESS
                ? Peer.processWorker(ProcessWorkerStarter.handsOverDescriptors(), !config.process().permission().confined(),
                        transit) : Peer.sameProcess(transit);
        // encoded once for every worker: references (moved once) cannot be in it
        this.bootstrap = BootstrapHandoff.of(config.bootstrap(), policy, config.runtime() == WorkerRuntime.PROCESS
                ? Peer.processWorker(peer.handsOverDescriptors(), peer.trustsMemory(), null) : Peer.LOCAL,
                config.maxPayloadBytes());
        this.facts = new PoolConfigFacts(config, name, packages);
        TypePolicy types = policy;
        // Start path: classes, not lambdas; a cold JVM spins a class for each lambda at its first use.
        this.encoders = new CodecStock<>(new Supplier<PayloadEncoder>() {
            @Override
            public PayloadEncoder get() {
                return new PayloadEncoder(types, peer);
            }
        });
        this.decoders = new CodecStock<>(new Supplier<PayloadDecoder>() {
            @Override
            public PayloadDecoder get() {
                return new PayloadDecoder(types, peer);
            }
        });
        this.lanes = new HostLane[config.threads()];
        this.completion = new CallCompletion(encoders, decoders, config.maxPayloadBytes(), new Runnable() {
            @Override
            public void run() {
                if (state.get() == DRAINING) {
                    beginStop();
                }
            }
        });
        this.inline = config.inlineLane() ? new InlineLane(completion, config.threads()) : null;
        this.balancer = new LaneBalancer(config.balancer());
        // Process workers put workerClassPath on their class path; thread workers need a loader for it.
        this.workerClasses = WorkerClasses.of(name,
                config.runtime() == WorkerRuntime.THREAD ? config.workerClassPath() : List.of(), loader);
        this.timer = new CallTimer(name + "-timer");
        this.events = new PoolEvents(name, config.runtime(), config.threads(), config.debug(),
                new Supplier<PoolStats>() {
                    @Override
                    public PoolStats get() {
                        return stats();
                    }
                });
        this.timeouts = new CallTimeouts(timer, config.hardTimeout(), events);
    }

    /**
     * The loader of the first task class the host has; the system class loader when every task is
     * imported (the host loads none of them), as for a process worker.
     */
    private static ClassLoader hostLoader(TaskTable table) {
        for (TaskEntry entry : table.entries()) {
            if (!entry.imported()) {
                return entry.declaringClass().getClassLoader();
            }
        }
        return ClassLoader.getSystemClassLoader();
    }

    /**
     * Called before the task table is built: a PROCESS pool starts linking the native calls its
     * first worker's start needs on a daemon thread, so that the link (the largest CPU cost of a
     * cold host before its first spawn) overlaps with reading the task classes.
     *
     * @return {@code config}
     */
    public static PoolConfig prepare(PoolConfig config) {
        if (config.runtime() == WorkerRuntime.PROCESS) {
            Platforms.linkSyscallsInBackground();
            HostWatch.readCurrentStartInBackground();
        }
        return config;
    }

    /** Starts a pool: every worker is ready when this returns. */
    public static Pool start(PoolConfig config, TaskTable table) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(table, "table");
        int depth = WorkerEnv.currentPoolDepth();
        if ("1".equals(System.getenv(WorkerEnv.PROCESS_WORKER)) || depth > 0) {
            throw new KnittingException("a pool cannot be started inside a worker process (pool depth " + depth
                    + "): a task class probably starts a pool in its static initializer; guard it with"
                    + " Knitting.isMain()");
        }
        if (config.threads() == 0 && !table.importedNames().isEmpty()) {
            throw new IllegalStateException("imported task " + table.importedNames().getFirst() + " has no worker"
                    + " lane to run on: threads(0) leaves only the inline lane, which never runs imported tasks");
        }
        PoolRuntime runtime = new PoolRuntime(config, table, "knitting-" + POOL_IDS.incrementAndGet());
        runtime.startLanes();
        return runtime;
    }

    private void startLanes() {
        PoolConfig config = facts.config();
        IntFunction<WorkerSpec> specs = new IntFunction<>() {
            @Override
            public WorkerSpec apply(int i) {
                return new WorkerSpec(i, table.names(), table.fingerprint(), facts.packages(),
                        config.maxPayloadBytes(), config.idle(), bootstrap.className(), bootstrap.method());
            }
        };
        WorkerStarter starter = config.runtime() == WorkerRuntime.PROCESS
                ? new ProcessWorkerStarter(facts.name(), config, specs, bootstrap, table.hostClasses())
                : new ThreadWorkerStarter(facts.name(), config, specs, workerClasses.loader(), bootstrap,
                        Peer.sameProcess(transit));
        try {
            // process workers boot in parallel; LaneStarts stops the started ones if any fails
            List<HostLane> started = LaneStarts.startAll(lanes.length, new IntFunction<>() {
                @Override
                public HostLane apply(int i) {
                    events.workerStarting(i);
                    return HostLane.start(i, laneCalls, starter, events);
                }
            }, StopLane.INSTANCE, config.runtime() == WorkerRuntime.PROCESS, facts.name() + "-start");
            started.toArray(lanes);
        } catch (RuntimeException | Error e) {
            timer.close();
            bootstrap.release();
            workerClasses.close();
            throw e;
        }
        events.poolStarted(lanes.length + " " + config.runtime() + " workers, " + table.size() + " tasks"
                + (inline != null ? ", inline lane from " + config.inlineThreshold() + " in flight" : ""));
    }

    // ---------------------------------------------------------------- calls

    @Override
    public <A, R> TaskCall<R> call(Task<A, R> task, A argument) {
        Objects.requireNonNull(task, "task");
        return call(table.idOf(task), ApiAccess.get().definition(task).timeout(), argument);
    }

    @Override
    public <A, R> TaskCall<R> call(TaskFunction<A, R> function, A argument) {
        Objects.requireNonNull(function, "function");
        int id = table.idOf(function);
        return call(id, table.entry(id).definition().timeout(), argument);
    }

    private <R> TaskCall<R> call(int taskId, TimeoutSpec timeout, Object argument) {
        PendingCall call = newCall();
        if (admit(call)) {
            call.timeout(timeout);
            dispatch(call, taskId, argument);
        }
        return cast(call.future());
    }

    @Override
    public <A, R> TaskCall<List<R>> callAll(Task<A, R> task, List<? extends A> arguments) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(arguments, "arguments");
        return callAll(table.idOf(task), ApiAccess.get().definition(task).timeout(), arguments);
    }

    @Override
    public <A, R> TaskCall<List<R>> callAll(TaskFunction<A, R> function, List<? extends A> arguments) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(arguments, "arguments");
        int id = table.idOf(function);
        return callAll(id, table.entry(id).definition().timeout(), arguments);
    }

    /**
     * Sends the elements in chunks of at most {@link #MAX_CHUNK_ELEMENTS}, spread over the lanes
     * ({@link #chunkSize}), each chunk one {@link PendingCall} carrying a {@link BatchChunk}. A
     * chunk whose encoding fails is split in halves until the failing element is alone; its error
     * then names it. Stops sending once the whole has ended (a chunk failed, a cancel, a timeout).
     */
    private <R> TaskCall<List<R>> callAll(int taskId, TimeoutSpec timeout, List<?> arguments) {
        Object[] elements = arguments.toArray(); // the caller's list as it is now
        TaskEntry entry = table.entry(taskId);
        BatchCall batch = new BatchCall(entry.name(), elements.length);
        batch.bind(ApiAccess.get().newCall(batch));
        TaskCall<Object> whole = batch.future();
        if (state.get() != RUNNING) {
            whole.completeExceptionally(new PoolClosedException("the pool is shut down; no new calls are accepted"));
        } else if (elements.length == 0) {
            whole.complete(List.of());
        } else {
            batch.arm(timer, timeout);
            int size = chunkSize(elements.length);
            for (int from = 0; from < elements.length && !whole.isDone(); from += size) {
                sendChunk(batch, entry, elements, from, Math.min(elements.length, from + size));
            }
        }
        return cast(whole);
    }

    /** Most elements in one chunk: one ring message, one doorbell, one answer for this many task runs. */
    static final int MAX_CHUNK_ELEMENTS = 256;

    /** @return elements per chunk: every lane gets a share, and no chunk exceeds {@link #MAX_CHUNK_ELEMENTS} */
    private int chunkSize(int elements) {
        int share = (elements + lanes.length - 1) / Math.max(1, lanes.length);
        return Math.max(1, Math.min(MAX_CHUNK_ELEMENTS, share));
    }

    private void sendChunk(BatchCall batch, TaskEntry entry, Object[] elements, int from, int to) {
        PayloadEncoder encoder = encoders.take();
        try {
            sendChunk(encoder, batch, entry, elements, from, to);
        } finally {
            encoder.sent();
            encoders.giveBack(encoder);
        }
    }

    private void sendChunk(PayloadEncoder encoder, BatchCall batch, TaskEntry entry, Object[] elements, int from,
                           int to) {
        List<Object> arguments = Arrays.asList(elements).subList(from, to);
        try {
            encoder.encode(arguments, facts.config().maxPayloadBytes());
        } catch (PayloadException e) {
            if (to - from == 1) {
                batch.future().completeExceptionally(new PayloadException("callAll of " + entry.name() + ": element "
                        + from + " of " + elements.length + " cannot be sent: " + e.getMessage(), e));
                return;
            }
            int middle = (from + to) >>> 1;
            sendChunk(batch, entry, elements, from, middle);
            if (!batch.future().isDone()) {
                sendChunk(batch, entry, elements, middle, to);
            }
            return;
        }
        PendingCall call = newCall();
        call.chunk(new BatchChunk(batch, from, to - from));
        call.task(entry);
        call.argument(arguments);
        batch.add(call);
        if (!admit(call)) {
            rollback(encoder.takeTransfers());
            return;
        }
        if (call.future().isDone()) { // the whole ended while this chunk was being made
            rollback(encoder.takeTransfers());
            completion.end(call);
            return;
        }
        call.trace(events.callStarted(entry.name()));
        send(call, entry, encoder);
    }

    @Override
    public <A, R> TaskCall<R> callAfter(Task<A, R> task, CompletionStage<? extends A> argument) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(argument, "argument");
        int id = table.idOf(task);
        PendingCall call = newCall();
        if (admit(call)) {
            call.timeout(ApiAccess.get().definition(task).timeout());
            awaitingArgument.add(call);
            argument.whenComplete((value, failure) -> {
                if (!awaitingArgument.remove(call)) {
                    return; // failed by shutdownNow meanwhile
                }
                if (failure != null) {
                    completion.fail(call, failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                } else if (call.future().isDone()) {
                    completion.end(call); // cancelled while its argument was pending
                } else {
                    dispatch(call, id, value);
                }
            });
        }
        return cast(call.future());
    }

    private PendingCall newCall() {
        PendingCall call = new PendingCall();
        call.bind(ApiAccess.get().newCall(call));
        submitted.increment();
        return call;
    }

    private boolean admit(PendingCall call) {
        completion.admitted();
        if (state.get() != RUNNING) {
            completion.fail(call, new PoolClosedException("the pool is shut down; no new calls are accepted"));
            return false;
        }
        return true;
    }

    private void dispatch(PendingCall call, int taskId, Object argument) {
        TaskEntry entry = table.entry(taskId);
        call.task(entry);
        call.trace(events.callStarted(entry.name()));
        call.argument(argument);
        PayloadEncoder encoder = encoders.take();
        try {
            try {
                encoder.encode(argument, facts.config().maxPayloadBytes());
            } catch (PayloadException e) {
                completion.fail(call, e);
                return;
            }
            send(call, entry, encoder);
        } finally {
            encoder.sent();
            encoders.giveBack(encoder);
        }
    }

    /** Picks a lane for a call whose argument {@code encoder} holds, starts its clocks and sends it. */
    private void send(PendingCall call, TaskEntry entry, PayloadEncoder encoder) {
        int taskId = entry.id();
        Transfers transfers = encoder.takeTransfers();
        // Imported tasks never run inline: the host must not load their classes.
        int lane = balancer.pick(lanes, inline != null && !entry.imported()
                && inFlightTotal() >= facts.config().inlineThreshold());
        if (lane < 0) {
            rollback(transfers);
            completion.fail(call, new PoolClosedException("no worker of the pool is up"));
            return;
        }
        call.transfers(transfers);
        timeouts.arm(call);
        if (lane == lanes.length) {
            inline.run(call, encoder.encoded());
            return;
        }
        try {
            lanes[lane].submit(call, taskId, encoder.message(), transfers);
        } catch (RuntimeException e) {
            rollback(call.takeTransfers());
            completion.fail(call, e);
        } finally {
            encoder.sent(); // the caller's arrays are not held past their send
        }
    }

    /** A message that was never published gives its references back and unpins its buffers. */
    private static void rollback(Transfers transfers) {
        if (transfers != null) {
            transfers.rollback();
        }
    }

    private long inFlightTotal() {
        long total = 0;
        for (HostLane lane : lanes) {
            total += lane.inFlight();
        }
        return total + (inline == null ? 0 : inline.inFlight());
    }

    // ---------------------------------------------------------------- the lanes' calls back

    /** The runtime as its lanes see it: where their calls end or go again. */
    private final class LaneCalls implements CallOwner {
        @Override
        public void answer(PendingCall call, int status, MemorySegment payload) {
            completion.answer(call, status, payload);
        }

        @Override
        public void fail(PendingCall call, Throwable failure) {
            completion.fail(call, failure);
        }

        @Override
        public void resend(PendingCall call) {
            PoolRuntime.this.resend(call);
        }

        @Override
        public void workerReplaced(int lane, Throwable reason, int resent) {
            workerRestarts.incrementAndGet();
            events.workerReplaced(lane, reason, resent);
        }
    }

    /** Sends a call again (to its lane's replacement worker) from its argument. */
    private void resend(PendingCall call) {
        if (call.future().isDone()) {
            completion.end(call); // timed out or cancelled meanwhile
            return;
        }
        PayloadEncoder encoder = encoders.take();
        try {
            encoder.encode(call.argument(), facts.config().maxPayloadBytes());
        } catch (KnittingException e) {
            encoders.giveBack(encoder);
            completion.fail(call, e);
            return;
        }
        Transfers transfers = encoder.takeTransfers();
        // the call settles both sends' entries; this send delivers its own (adding empties them)
        Transfers delivered = transfers == null ? null : transfers.sameEntries();
        call.addTransfers(transfers);
        try {
            call.lane().submit(call, call.task().id(), encoder.message(), delivered);
        } catch (RuntimeException e) {
            completion.fail(call, e);
        } finally {
            encoder.sent();
            encoders.giveBack(encoder);
        }
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public CompletableFuture<Void> shutdown() {
        if (state.compareAndSet(RUNNING, DRAINING)) {
            events.log("shutdown: waiting for " + completion.outstanding() + " calls");
            if (completion.outstanding() == 0) {
                beginStop();
            }
        }
        return terminated;
    }

    @Override
    public CompletableFuture<Void> shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace=" + grace + " must not be negative");
        }
        if (grace.isZero()) {
            return shutdownNow();
        }
        shutdown();
        CompletableFuture.delayedExecutor(grace.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (!terminated.isDone()) {
                shutdownNow();
            }
        });
        return terminated;
    }

    @Override
    public CompletableFuture<Void> shutdownNow() {
        int previous;
        do {
            previous = state.get();
            if (previous >= STOPPING) {
                return terminated;
            }
        } while (!state.compareAndSet(previous, STOPPING));
        events.log("shutdownNow: failing " + completion.outstanding() + " calls");
        for (PendingCall call : new ArrayList<>(awaitingArgument)) {
            if (awaitingArgument.remove(call)) {
                completion.fail(call, closedNow());
            }
        }
        for (HostLane lane : lanes) {
            lane.refuseNewCalls();
        }
        for (HostLane lane : lanes) {
            lane.failAll(c -> closedNow());
        }
        if (inline != null) {
            inline.failAll(PoolRuntime::closedNow);
        }
        startStopper();
        return terminated;
    }

    private static PoolClosedException closedNow() {
        return new PoolClosedException("the pool was shut down now; the call had not finished");
    }

    private void beginStop() {
        if (state.compareAndSet(DRAINING, STOPPING)) {
            startStopper();
        }
    }

    private void startStopper() {
        Thread stopper = new Thread(new Runnable() {
            @Override
            public void run() {
                stopAll();
            }
        }, facts.name() + "-stopper");
        stopper.setDaemon(true);
        stopper.start();
    }

    /** The stopper thread's work: stops every lane, frees what the pool holds, completes {@code terminated}. */
    private void stopAll() {
        try {
            for (HostLane lane : lanes) {
                lane.stop();
            }
            timer.close();
            transit.freeAll(); // references sent to calls that never decoded them
            bootstrap.release();
            workerClasses.close();
            state.set(TERMINATED);
            events.poolTerminated();
            terminated.complete(null);
        } catch (Throwable t) {
            terminated.completeExceptionally(t);
        }
    }

    @Override
    public void close() {
        shutdown().join();
    }

    /** @return where this pool's events and lifecycle lines go */
    PoolEvents events() {
        return events;
    }

    @Override
    public PoolStats stats() {
        List<Integer> inFlight = new ArrayList<>();
        for (HostLane lane : lanes) {
            inFlight.add(lane.inFlight());
        }
        if (inline != null) {
            inFlight.add(inline.inFlight());
        }
        return new PoolStats(submitted.sum(), completion.completed(), completion.failed(), inFlight,
                workerRestarts.get());
    }

    @SuppressWarnings("unchecked")
    private static <R> TaskCall<R> cast(TaskCall<Object> call) {
        return (TaskCall<R>) (TaskCall<?>) call;
    }

    /** Stops a started lane when another lane's start failed. */
    private static final class StopLane implements java.util.function.Consumer<HostLane> {
        static final StopLane INSTANCE = new StopLane();

        @Override
        public void accept(HostLane lane) {
            lane.stop();
        }
    }

    /** What the runtime resolved from the configuration at construction. */
    private record PoolConfigFacts(PoolConfig config, String name, Set<String> packages) {
    }
}
