package dev.knitting.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A process-lane baseline: a child JVM running {@link EchoChildMain}, driven with the same loops,
 * checks and timing as {@link KnittingSide} (hot, paced from intended start times, batched). The
 * transport (UNIX socket, pipe) is the subclass's. The child's standard error goes to a temporary
 * file whose tail is shown if it fails; the child is always destroyed on close and on abandon.
 */
public abstract class ChildEchoSide implements Side {
    /** How long open() waits for the child to connect or answer. */
    static final long START_TIMEOUT_MILLIS = 20_000;

    private Process child;
    private Path stderr;

    /** Starts the child with these program arguments and checks one request. */
    @Override
    public final void open() throws Exception {
        stderr = Files.createTempFile("knitbench-child", ".err");
        ProcessBuilder pb = new ProcessBuilder(ChildJvms.command(jvmArgs(), null, EchoChildMain.class.getName(),
                childArgs()));
        pb.redirectError(stderr.toFile());
        configure(pb);
        child = ChildJvms.start(pb);
        try {
            connect(child);
            int two = roundTrip(1);
            if (two != 2) {
                throw new IllegalStateException("echo child answered " + two + " to 1");
            }
        } catch (Exception | Error e) {
            ChildJvms.kill(child);
            throw new IllegalStateException(e + "; child exit " + exitText() + ", stderr: " + stderrTail(), e);
        }
    }

    /** @return the child's JVM options (none by default) */
    List<String> jvmArgs() {
        return List.of();
    }

    /** @return the child's program arguments */
    abstract String[] childArgs() throws IOException;

    /** Sets up the child's redirections before start. */
    abstract void configure(ProcessBuilder pb);

    /** Connects to the started child (may wait for it). */
    abstract void connect(Process started) throws IOException, InterruptedException;

    /** Sends v, returns the answer. */
    abstract int roundTrip(int v) throws IOException;

    /** Sends {@code n} requests {@code i & 127} for i in [0, n) in one write. */
    abstract void sendBatch(int n) throws IOException;

    /** Reads {@code n} answers and checks them against {@link #sendBatch}'s requests. */
    abstract void receiveBatch(int n) throws IOException;

    /** Closes the transport (the child sees end of input and exits). */
    abstract void closeTransport() throws IOException;

    /** Back-to-back tiny calls, each timed. */
    public final Measurement hot(RoundSpec spec) throws Exception {
        return TinyCallLoops.hot(spec, this::roundTrip, "");
    }

    /** Tiny calls on a fixed schedule; latency measured from each call's intended start. */
    public final Measurement paced(RoundSpec spec) throws Exception {
        return TinyCallLoops.paced(spec, this::roundTrip);
    }

    /** Windows of {@code spec.window()} requests: write them all, then read all answers. */
    public final Measurement batched(RoundSpec spec) throws IOException {
        int n = spec.window();
        Measurement.Stopwatch watch = Measurement.start();
        long deadline = watch.startNanos() + spec.durationNanos();
        long ops = 0;
        do {
            sendBatch(n);
            receiveBatch(n);
            ops += n;
        } while (System.nanoTime() < deadline || ops < spec.calls());
        return watch.stop(ops, 0, null, "window=" + n);
    }

    /** Closes the transport, waits briefly for the child to exit, then kills it if it did not. */
    @Override
    public final void close() throws IOException {
        try {
            closeTransport();
        } finally {
            int code = ChildJvms.stop(child, 5_000);
            child = null;
            Files.deleteIfExists(stderr);
            if (code == -1) {
                throw new IllegalStateException("echo child did not exit within 5 s of end of input: killed");
            }
        }
    }

    /** Kills the child at once (a hung round): blocked reads then fail. */
    @Override
    public final void abandon() {
        ChildJvms.kill(child);
    }

    /** Fills {@code n} requests into a batch: request i is {@code i & 127}. */
    static int request(int i) {
        return i & 127;
    }

    private String exitText() {
        Process p = child;
        return p == null || p.isAlive() ? "(alive)" : String.valueOf(p.exitValue());
    }

    private String stderrTail() {
        try {
            String s = Files.readString(stderr).strip();
            return s.isEmpty() ? "(empty)" : s.length() > 500 ? "..." + s.substring(s.length() - 500) : s;
        } catch (IOException | RuntimeException e) {
            return "(unreadable)";
        }
    }
}
