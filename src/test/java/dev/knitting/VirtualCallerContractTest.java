package dev.knitting;

import static dev.knitting.ContractSupport.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.testtasks.EchoTasks;
import dev.knitting.testtasks.SlowTasks;
import dev.knitting.testtasks.SlowTasks.Spin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Virtual-thread callers, written once and run against each worker kind: a virtual thread waiting
 * for its answer parks in the JVM (it never blocks in native code, where a futex wait would pin its
 * carrier), many of them share a few carriers, and timeouts, cancellation and crashes reach them
 * as they reach platform callers. The worker is held by a cooperative spin that runs until it is
 * aborted, so "the caller is waiting" is a state the test waits for, not a time it guesses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, threadMode = SEPARATE_THREAD)
abstract class VirtualCallerContractTest {
    private static final long HOLD_MILLIS = 120_000;
    /** More waiting virtual callers than the virtual-thread scheduler has carriers. */
    private static final int MORE_THAN_CARRIERS = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    private static final AtomicLong TOKENS = new AtomicLong();

    private final OpenPools pools = new OpenPools();

    protected abstract PoolBuilder withWorkerKind(PoolBuilder builder);

    /** @return the task classes the suite's pools register; a subclass may add its own */
    protected List<Class<?>> taskClasses() {
        return List.of(EchoTasks.class, SlowTasks.class);
    }

    @Test
    void manyVirtualCallersEachGetTheirAnswersAndNoCarrierIsPinned() throws Exception {
        Pool pool = start(Knitting.pool().threads(2));
        int callers = 500;
        int callsEach = 20;
        // One virtual caller first: a virtual thread waiting for another to initialise a class is
        // pinned by the JDK, and the first callers of a fresh JVM would meet that, not our waits.
        // The busy call outlasts the caller's spin, so its wait goes through the parking path too.
        assertThat(onVirtualThread(() -> pool.call(SlowTasks.BUSY, 20L).join())).isEqualTo(SlowTasks.BUDGET);
        assertThat(onVirtualThread(() -> pool.call(EchoTasks.SQUARE, 2).join())).isEqualTo(4);
        List<String> pinned = new CopyOnWriteArrayList<>();
        AtomicInteger wrong = new AtomicInteger();
        try (RecordingStream jfr = new RecordingStream()) {
            jfr.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            jfr.onEvent("jdk.VirtualThreadPinned", e -> pinned.add(e.toString()));
            jfr.startAsync();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int base = c;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < callsEach; i++) {
                        int v = (base * callsEach + i) % 1000;
                        if (pool.call(EchoTasks.SQUARE, v).join() != v * v) {
                            wrong.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                assertThat(t.join(Duration.ofSeconds(120))).as("caller %s ended", t).isTrue();
            }
            jfr.stop(); // flushes the events recorded so far to onEvent
        }
        assertThat(wrong).hasValue(0);
        assertThat(pinned).as("jdk.VirtualThreadPinned events").isEmpty();
        awaitCompleted(pool, (long) callers * callsEach);
    }

    @Test
    void aVirtualThreadPerCallEachGetsItsOwnBytesBack() throws Exception {
        Pool pool = start(Knitting.pool().threads(2));
        int requests = 2000;
        AtomicInteger wrong = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            // small and large arrays: a large one is copied into the ring straight from the
            // caller's array, so an encoder two virtual threads shared would mix them up
            byte[] sent = new byte[r % 3 == 0 ? 16 * 1024 + r : 64 + r % 200];
            java.util.Arrays.fill(sent, (byte) r);
            threads.add(Thread.ofVirtual().start(() -> {
                Object back = pool.call(EchoTasks.ECHO, sent).join();
                if (!(back instanceof byte[] bytes) || !java.util.Arrays.equals(bytes, sent)) {
                    wrong.incrementAndGet();
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(120))).as("caller %s ended", t).isTrue();
        }

        assertThat(wrong).as("answers that were not the caller's own bytes").hasValue(0);
        awaitCompleted(pool, requests);
    }

    /**
     * A call counts as completed once its end is booked, which comes right after its future
     * completes: a caller that got its answer may read the count a moment before its own call is in it.
     */
    private static void awaitCompleted(Pool pool, long calls) {
        awaitCondition(calls + " calls counted as completed", () -> pool.stats().completed() >= calls,
                () -> pool.stats());
    }

    @Test
    void virtualCallersWaitingForAnswersParkAndLeaveTheCarriersToOtherVirtualThreads() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));
        List<Thread> callers = new ArrayList<>();
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int c = 0; c < MORE_THAN_CARRIERS; c++) {
            int v = c;
            CompletableFuture<Integer> answer = new CompletableFuture<>();
            answers.add(answer);
            callers.add(Thread.ofVirtual().start(() -> answer.complete(pool.call(EchoTasks.SQUARE, v).join())));
        }

        awaitCondition("every virtual caller parked, waiting for its answer", () -> allParked(callers),
                () -> states(callers));
        CompletableFuture<String> unrelated = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> unrelated.complete("ran"));
        assertThat(unrelated.get(60, TimeUnit.SECONDS)).as("an unrelated virtual thread got a carrier").isEqualTo("ran");
        assertThat(held).as("the worker is still held").isNotDone();

        held.abort();
        assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(SlowTasks.ABORTED);
        for (int c = 0; c < answers.size(); c++) {
            assertThat(answers.get(c).get(60, TimeUnit.SECONDS)).isEqualTo(c * c);
        }
    }

    @Test
    void aVirtualCallersGetWithATimeoutThrowsTimeoutExceptionWhileTheWorkerStillRunsTheCall() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));

        Throwable thrown = onVirtualThread(() -> {
            try {
                held.get(300, TimeUnit.MILLISECONDS);
                return null;
            } catch (Exception e) {
                return e;
            }
        });

        assertThat(thrown).isInstanceOf(TimeoutException.class);
        assertThat(held).isNotDone();
        held.abort();
        assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(SlowTasks.ABORTED);
    }

    @Test
    void aTaskTimeoutEndsAVirtualCallersJoin() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));

        Throwable thrown = onVirtualThread(() -> joinFailure(pool.call(SlowTasks.SPIN_TIMEOUT_FAIL,
                new Spin(token(), HOLD_MILLIS))));

        assertThat(thrown).isInstanceOf(TaskTimeoutException.class);
        assertThat(pool.call(EchoTasks.SQUARE, 7).join()).isEqualTo(49);
    }

    @Test
    void cancellingACallWakesItsParkedVirtualCaller() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> outcome.complete(joinFailure(held)));

        awaitCondition("the virtual caller parked", () -> allParked(List.of(caller)), () -> states(List.of(caller)));
        held.cancel(true);

        assertThat(outcome.get(60, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(pool.call(EchoTasks.SQUARE, 3).join()).isEqualTo(9);
    }

    @Test
    void aVirtualCallerInterruptedInGetLeavesWithInterruptedException() throws Exception {
        Pool pool = start(Knitting.pool().threads(1));
        TaskCall<String> held = pool.call(SlowTasks.SPIN, new Spin(token(), HOLD_MILLIS));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                held.get();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });

        awaitCondition("the virtual caller parked", () -> allParked(List.of(caller)), () -> states(List.of(caller)));
        caller.interrupt();

        assertThat(outcome.get(60, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(held).isNotDone();
        held.abort();
        assertThat(held.get(60, TimeUnit.SECONDS)).isEqualTo(SlowTasks.ABORTED);
    }

    /** Runs {@code action} on a new virtual thread and returns what it returned. */
    static <T> T onVirtualThread(Supplier<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the virtual thread failed", e.getCause());
        }
    }

    /** @return what {@code join()} threw, unwrapped, or null if it returned */
    static Throwable joinFailure(TaskCall<?> call) {
        try {
            call.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    /** A parked virtual thread is WAITING or TIMED_WAITING; one blocked in native code stays RUNNABLE. */
    static boolean allParked(List<Thread> threads) {
        return threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.TIMED_WAITING);
    }

    static String states(List<Thread> threads) {
        return threads.stream().map(t -> t.getState().toString()).toList().toString();
    }

    Pool start(PoolBuilder builder) {
        Pool pool = withWorkerKind(builder).start(taskClasses().toArray(Class<?>[]::new));
        pools.add(pool);
        return pool;
    }

    static String token() {
        return "virtual-" + TOKENS.incrementAndGet() + "-" + System.nanoTime();
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
    }
}
