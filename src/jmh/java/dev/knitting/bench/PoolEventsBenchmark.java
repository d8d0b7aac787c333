package dev.knitting.bench;

import dev.knitting.PoolStats;
import dev.knitting.WorkerRuntime;
import dev.knitting.internal.observe.CallTrace;
import dev.knitting.internal.observe.PoolEvents;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What observing a call adds to it: the five hooks a call passes ({@code callStarted}, lane, sent,
 * answered, ended) with no recording ({@code off}), with JFR's {@code default} settings (lifecycle
 * and statistics only: call events off), with call events on at their default threshold of 20 ms
 * ({@code calls}: every call traced, none committed) and at threshold 0 ({@code all}: every call
 * committed). {@link #bareJfrEvent} is the floor any thresholded JFR event pays while enabled. A pool
 * round trip is 0.4-10 us on this machine kind; this isolates the hooks from that noise.
 *
 * <p>Run: {@code scripts/bench --jmh PoolEventsBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class PoolEventsBenchmark {
    /** {@code off}, {@code default}, {@code calls} or {@code all} (see the class comment). */
    @Param({"off", "default", "calls", "all"})
    public String recording;

    private final MemorySegment request = MemorySegment.ofArray(new byte[64]);
    private final MemorySegment answer = MemorySegment.ofArray(new byte[32]);
    private final CompletableFuture<Object> ended = CompletableFuture.completedFuture(1);
    private PoolEvents events;
    private Recording running;

    /** Starts the recording the parameter names. */
    @Setup(Level.Trial)
    public void start() throws Exception {
        events = new PoolEvents("bench", WorkerRuntime.THREAD, 1, false,
                () -> new PoolStats(0, 0, 0, List.of(0), 0));
        if (!recording.equals("off")) {
            running = new Recording(Configuration.getConfiguration("default"));
            if (recording.equals("calls")) {
                running.enable("dev.knitting.Call");
            } else if (recording.equals("all")) {
                running.enable("dev.knitting.Call").withThreshold(Duration.ZERO);
            }
            running.setToDisk(true);
            running.start();
        }
    }

    /** Stops the recording. */
    @TearDown(Level.Trial)
    public void stop() {
        if (running != null) {
            running.close();
        }
    }

    /** The hooks of one call, as the host runs them. */
    @Benchmark
    public CallTrace callHooks() {
        CallTrace trace = events.callStarted("dev.knitting.bench.BenchTasks#INC");
        CallTrace.toLane(trace, 0, request);
        CallTrace.sent(trace);
        CallTrace.answered(trace, answer);
        CallTrace.ended(trace, ended);
        return trace;
    }

    /** A field-less JFR event begun, ended and offered: what any thresholded JFR event costs. */
    @Benchmark
    public boolean bareJfrEvent() {
        BareEvent event = new BareEvent();
        event.begin();
        event.end();
        boolean wanted = event.shouldCommit();
        if (wanted) {
            event.commit();
        }
        return wanted;
    }

    /** Baseline of {@link #bareJfrEvent}: enabled by default, threshold 20 ms. */
    @jdk.jfr.Name("dev.knitting.bench.Bare")
    @jdk.jfr.Threshold("20 ms")
    @jdk.jfr.StackTrace(false)
    static final class BareEvent extends jdk.jfr.Event {
    }
}
