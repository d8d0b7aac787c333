package dev.knitting;

import static dev.knitting.ContractSupport.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

import dev.knitting.testtasks.EchoTasks;
import dev.knitting.testtasks.FailingTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pool tells the outside (SPEC 5), once per worker kind: JFR events of calls, of worker
 * lifecycle and of pool statistics, read back from a recording file; lifecycle lines through the
 * {@code dev.knitting} System.Logger. Events are told apart from those of other pools by the pool
 * name the test's own call event carries.
 */
abstract class PoolEventsContractTest {
    static final String CALL = "dev.knitting.Call";
    static final String WORKER_START = "dev.knitting.WorkerStart";
    static final String WORKER_EXIT = "dev.knitting.WorkerExit";
    static final String WORKER_CRASH = "dev.knitting.WorkerCrash";
    static final String WORKER_REPLACEMENT = "dev.knitting.WorkerReplacement";
    static final String POOL_STATISTICS = "dev.knitting.PoolStatistics";

    private final OpenPools pools = new OpenPools();

    @TempDir
    Path dir;

    /** Configures {@code builder} for this suite's worker kind. */
    protected abstract PoolBuilder withWorkerKind(PoolBuilder builder);

    /** @return the kind the events name */
    protected abstract WorkerRuntime kind();

    protected final Pool start(PoolBuilder builder, Class<?>... taskClasses) {
        Pool pool = withWorkerKind(builder).start(taskClasses);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    @Timeout(value = 90, threadMode = SEPARATE_THREAD)
    void stopPools() {
        pools.shutdownAll();
    }

    /** A recording of every knitting event: calls from a zero threshold, statistics when it stops. */
    static Recording recordEverything() {
        Recording recording = new Recording();
        recording.enable(CALL).withThreshold(Duration.ZERO);
        recording.enable(WORKER_START);
        recording.enable(WORKER_EXIT);
        recording.enable(WORKER_CRASH);
        recording.enable(WORKER_REPLACEMENT);
        recording.enable(POOL_STATISTICS).with("period", "endChunk");
        recording.start();
        return recording;
    }

    /**
     * Waits until every call {@code pool} accepted has ended. A caller's {@code join()} returns as
     * the call completes, and the call's event is committed right after, on the thread that
     * completed it: a recording stopped at once could miss it.
     */
    static void awaitEveryCallEnded(Pool pool) {
        ContractSupport.awaitCondition("every call of the pool to end", () -> {
            PoolStats stats = pool.stats();
            return stats.completed() + stats.failed() == stats.submitted();
        }, pool::stats);
    }

    /** Stops {@code recording}, writes it to a file and reads every event back. */
    final List<RecordedEvent> stopAndRead(Recording recording) throws IOException {
        Path file = dir.resolve("events.jfr");
        recording.stop();
        recording.dump(file);
        recording.close();
        return RecordingFile.readAllEvents(file);
    }

    static List<RecordedEvent> named(List<RecordedEvent> events, String type, String pool) {
        List<RecordedEvent> result = new ArrayList<>();
        for (RecordedEvent event : events) {
            if (event.getEventType().getName().equals(type) && pool.equals(event.getString("pool"))) {
                result.add(event);
            }
        }
        return result;
    }

    /** @return the pool name of the only call event of {@code task} */
    static String poolOfCall(List<RecordedEvent> events, String taskName) {
        List<String> pools = events.stream().filter(e -> e.getEventType().getName().equals(CALL))
                .filter(e -> e.getString("task").equals(taskName)).map(e -> e.getString("pool")).distinct().toList();
        assertThat(pools).as("pools with a call of %s; recorded: %s", taskName, summary(events)).hasSize(1);
        return pools.getFirst();
    }

    /** @return event type, pool and task of every knitting event, for failure messages */
    static String summary(List<RecordedEvent> events) {
        return events.stream().filter(e -> e.getEventType().getName().startsWith("dev.knitting."))
                .map(e -> e.getEventType().getName() + "/" + e.getString("pool")
                        + (e.hasField("task") ? "/" + e.getString("task") : ""))
                .toList().toString();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRecordEachCallWithItsTaskLaneKindBytesTimesAndOutcome() throws IOException {
        Pool pool = start(Knitting.pool().threads(2), EchoTasks.class, FailingTasks.class);
        assertThat(pool.call(EchoTasks.SQUARE, 2).join()).as("a call before the recording").isEqualTo(4);
        Recording recording = recordEverything(); // call events are wanted from now on, by a pool that ran before
        byte[] big = new byte[40_000];

        assertThat((byte[]) pool.call(EchoTasks.ECHO, big).join()).hasSize(big.length);
        failureOf(pool.call(FailingTasks.THROW_IAE, "boom"));
        failureOf(pool.call(EchoTasks.ECHO, (Runnable) () -> { })); // rejected before it is sent
        for (int i = 0; i < 10; i++) {
            assertThat(pool.call(EchoTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        awaitEveryCallEnded(pool);
        List<RecordedEvent> events = stopAndRead(recording);

        String name = poolOfCall(events, "dev.knitting.testtasks.EchoTasks#SQUARE");
        List<RecordedEvent> calls = named(events, CALL, name);
        assertThat(calls).hasSize(13);
        assertThat(calls).allSatisfy(call -> {
            assertThat(call.getLong("queueTime")).isNotNegative();
            assertThat(call.getLong("workerTime")).isNotNegative();
            assertThat(call.getDuration()).isPositive();
        });
        List<RecordedEvent> echoes = calls.stream()
                .filter(c -> c.getString("task").equals("dev.knitting.testtasks.EchoTasks#ECHO")).toList();
        RecordedEvent echo = echoes.stream().filter(c -> c.getString("outcome").equals("SUCCESS")).findFirst()
                .orElseThrow();
        assertThat(echo.getInt("lane")).isBetween(0, 1);
        assertThat(echo.getString("workerKind")).isEqualTo(kind().name());
        assertThat(echo.getLong("bytesIn")).isGreaterThanOrEqualTo(big.length);
        assertThat(echo.getLong("bytesOut")).isGreaterThanOrEqualTo(big.length);
        assertThat(echo.getLong("workerTime")).isPositive();
        assertThat(echo.getInt("sends")).isEqualTo(1);
        assertThat(echo.getString("failure")).isNull();

        RecordedEvent rejected = echoes.stream().filter(c -> c.getString("outcome").equals("FAILED")).findFirst()
                .orElseThrow();
        assertThat(rejected.getString("failure")).isEqualTo(PayloadException.class.getName());
        assertThat(rejected.getInt("lane")).isEqualTo(-1);
        assertThat(rejected.getInt("sends")).isZero();
        assertThat(rejected.getLong("workerTime")).isZero();

        RecordedEvent thrown = calls.stream()
                .filter(c -> c.getString("task").equals("dev.knitting.testtasks.FailingTasks#THROW_IAE"))
                .findFirst().orElseThrow();
        assertThat(thrown.getString("outcome")).isEqualTo("FAILED");
        assertThat(thrown.getString("failure")).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(thrown.getLong("bytesOut")).as("the exception travelled back").isPositive();
        assertThat(calls.stream().filter(c -> c.getString("outcome").equals("SUCCESS"))).hasSize(11);
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRecordTheStartOfEveryWorkerAndItsExitWhenThePoolStops() throws IOException {
        Recording recording = recordEverything();
        Pool pool = start(Knitting.pool().threads(2), EchoTasks.class);
        assertThat(pool.call(EchoTasks.SQUARE, 3).join()).isEqualTo(9);
        pool.shutdown().orTimeout(60, TimeUnit.SECONDS).join();
        List<RecordedEvent> events = stopAndRead(recording);

        String name = poolOfCall(events, "dev.knitting.testtasks.EchoTasks#SQUARE");
        List<RecordedEvent> starts = named(events, WORKER_START, name);
        assertThat(starts).extracting(e -> e.getInt("lane")).containsExactlyInAnyOrder(0, 1);
        assertThat(starts).allSatisfy(start -> {
            assertThat(start.getString("workerKind")).isEqualTo(kind().name());
            assertThat(start.getBoolean("replacement")).isFalse();
            assertThat(start.getLong("bootTime")).isPositive();
            assertThat(start.getString("worker")).isEqualTo(name + "-worker-" + start.getInt("lane"));
            assertThat(start.getLong("pid")).isPositive();
        });
        List<RecordedEvent> exits = named(events, WORKER_EXIT, name);
        assertThat(exits).extracting(e -> e.getInt("lane")).containsExactlyInAnyOrder(0, 1);
        assertThat(exits).allSatisfy(exit -> {
            assertThat(exit.getString("cause")).isNotBlank();
            assertThat(exit.getInt("signal")).isZero();
        });
        assertThat(named(events, WORKER_CRASH, name)).isEmpty();
        assertThat(named(events, WORKER_REPLACEMENT, name)).isEmpty();
    }

    @Test
    @Timeout(value = 120, threadMode = SEPARATE_THREAD)
    void shouldRecordThePoolsCountersAsStatistics() throws IOException {
        Recording recording = recordEverything();
        Pool pool = start(Knitting.pool().threads(2), EchoTasks.class, FailingTasks.class);
        for (int i = 0; i < 5; i++) {
            assertThat(pool.call(EchoTasks.SQUARE, i).join()).isEqualTo(i * i);
        }
        failureOf(pool.call(FailingTasks.THROW_IAE, "boom"));
        awaitEveryCallEnded(pool);
        PoolStats expected = pool.stats();
        List<RecordedEvent> events = stopAndRead(recording); // the pool still runs: its statistics end the chunk

        String name = poolOfCall(events, "dev.knitting.testtasks.EchoTasks#SQUARE");
        List<RecordedEvent> statistics = named(events, POOL_STATISTICS, name);
        assertThat(statistics).isNotEmpty();
        RecordedEvent last = statistics.getLast();
        assertThat(last.getString("workerKind")).isEqualTo(kind().name());
        assertThat(last.getInt("workers")).isEqualTo(2);
        assertThat(last.getLong("submitted")).isEqualTo(expected.submitted()).isEqualTo(6);
        assertThat(last.getLong("completed")).isEqualTo(5);
        assertThat(last.getLong("failed")).isEqualTo(1);
        assertThat(last.getLong("inFlight")).isZero();
        assertThat(last.getLong("workerRestarts")).isZero();
    }

    @Test
    @Timeout(value = 180, threadMode = SEPARATE_THREAD)
    void shouldLogLifecycleLinesAtInfoOnlyWithDebugOn() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), DebugLinesChild.class.getName(), kind().name())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(child.waitFor(150, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
            String stderr = Files.readString(err);
            assertThat(child.exitValue()).as("exit status; stderr:%n%s", stderr).isZero();
            assertThat(stderr).contains(DebugLinesChild.MARK);
            String quiet = stderr.substring(0, stderr.indexOf(DebugLinesChild.MARK));
            String loud = stderr.substring(stderr.indexOf(DebugLinesChild.MARK));

            assertThat(quiet).as("debug off: the default logging set-up shows nothing").doesNotContain("[knitting-");
            assertThat(loud).containsPattern("INFO: \\[knitting-\\d+] started: 1 " + kind() + " workers")
                    .containsPattern("INFO: \\[knitting-\\d+] worker 0 ready \\(" + kind())
                    .containsPattern("INFO: \\[knitting-\\d+] terminated");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }
}
