package dev.knitting.internal.observe;

import java.util.concurrent.CompletableFuture;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * One call of a pool, from dispatch (its argument known) until it ended; committed when it took
 * at least the threshold. The event's duration is the whole call; {@code queueTime} and
 * {@code workerTime} split it at the moment the request was written into the worker's ring.
 * Without a field on the wire the host cannot see when the worker took the request, so time the
 * request waited in the ring for a busy worker counts as worker time.
 *
 * <p>Off unless a recording enables it ({@code +dev.knitting.Call#enabled=true}, or {@code
 * Recording.enable("dev.knitting.Call")}): while enabled, every call pays for the event whatever
 * the threshold (an allocation, JFR's begin and end ticks, two clock reads: ~0.1-0.2 us on a
 * 2-vCPU VM, see {@code PoolEventsBenchmark}), which a default profile running in production should
 * not put on a call that takes 0.4 us.
 *
 * <p>Not thread-safe by itself: each step happens in the order {@link CallTrace} lists, and the
 * host's hand-over of the call between threads orders them.
 */
@Name(CallEvent.NAME)
@Label("Knitting Call")
@Category("Knitting")
@Description("A pool call that took at least the threshold, from dispatch until it ended")
@Enabled(false)
@Threshold("20 ms")
@StackTrace(false)
final class CallEvent extends Event implements CallTrace {
    static final String NAME = "dev.knitting.Call";
    /** Kind of a call the calling thread ran itself. */
    static final String INLINE = "INLINE";
    /** Asked whether a recording wants call events; {@code isEnabled} reads the class's settings only. */
    private static final CallEvent PROBE = new CallEvent();

    @Label("Pool")
    String pool;

    @Label("Task")
    String task;

    @Label("Lane")
    @Description("Index of the lane the call was sent to last; -1 if it was never sent")
    int lane = -1;

    @Label("Worker Kind")
    @Description("THREAD or PROCESS, or INLINE when the calling thread ran the call")
    String workerKind;

    @Label("Bytes In")
    @Description("Encoded size of the argument")
    @DataAmount
    long bytesIn;

    @Label("Bytes Out")
    @Description("Encoded size of the answer; 0 when no answer arrived")
    @DataAmount
    long bytesOut;

    @Label("Queue Time")
    @Description("From dispatch until the request was in the worker's ring: encoding, waiting for ring"
            + " space or for a replacement worker; the whole call if it was never sent")
    @Timespan
    long queueTime;

    @Label("Worker Time")
    @Description("From the request in the worker's ring until the call ended: waiting for the worker,"
            + " the task's run and the answer's way back")
    @Timespan
    long workerTime;

    @Label("Sends")
    @Description("How often the request was written to a ring: 2 when a replacement worker got it again")
    int sends;

    @Label("Outcome")
    @Description("SUCCESS, FAILED or CANCELLED")
    String outcome;

    @Label("Failure")
    @Description("Class of the exception a failed call ended with")
    String failure;

    private transient String poolKind;
    private transient long startNanos;
    private transient long sentNanos;
    private transient boolean sent;

    private CallEvent() {
    }

    /** @return whether a running recording wants call events (then it decides on the threshold at the end) */
    static boolean wanted() {
        return PROBE.isEnabled();
    }

    /** @return a started event for a call of {@code task} in {@code pool}, whose workers are of {@code kind} */
    static CallEvent start(String pool, String kind, String task) {
        CallEvent event = new CallEvent();
        event.pool = pool;
        event.poolKind = kind;
        event.task = task;
        event.startNanos = System.nanoTime();
        event.begin();
        return event;
    }

    @Override
    public void onLane(int laneIndex, boolean inline, long bytes) {
        lane = laneIndex;
        workerKind = inline ? INLINE : poolKind;
        bytesIn = bytes;
    }

    @Override
    public void onSent() {
        sends++;
        sentNanos = System.nanoTime();
        sent = true;
    }

    @Override
    public void onAnswer(long bytes) {
        bytesOut = bytes;
    }

    /** Never throws: the host calls it while it ends the call, and ending must go on. */
    @Override
    public void onEnd(CompletableFuture<?> future) {
        try {
            commitIfWanted(future);
        } catch (RuntimeException | LinkageError ignored) {
            // reporting is best effort
        }
    }

    private void commitIfWanted(CompletableFuture<?> future) {
        end();
        if (!shouldCommit()) {
            return;
        }
        long now = System.nanoTime();
        queueTime = (sent ? sentNanos : now) - startNanos;
        workerTime = sent ? now - sentNanos : 0;
        if (workerKind == null) {
            workerKind = poolKind;
        }
        CompletableFuture.State state = future.state();
        outcome = state.name();
        if (state == CompletableFuture.State.FAILED) {
            failure = future.exceptionNow().getClass().getName();
        }
        commit();
    }
}
