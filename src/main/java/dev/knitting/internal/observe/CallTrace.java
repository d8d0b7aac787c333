package dev.knitting.internal.observe;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

/**
 * What a recording learns about one call while it travels: where it went, its bytes, when its
 * request reached the worker's ring. A call has a trace only when a recording wants call events
 * ({@link PoolEvents#callStarted}); otherwise its trace is {@code null}, and the static methods here,
 * which the host calls at each step, do nothing but that null check: no clock read, no allocation.
 *
 * <p>The steps, in order, each at most once per send (a call resent to a replacement worker goes
 * through {@link #toLane} and {@link #sent} again):
 * <ol>
 *   <li>{@link #toLane} or {@link #inline}: the lane is chosen, the argument encoded;</li>
 *   <li>{@link #sent}: the request's last record is written, before it is committed, so this
 *       happens before the worker can answer;</li>
 *   <li>{@link #answered}: the answer's bytes arrived (not for calls that fail on the host);</li>
 *   <li>{@link #ended}: the call ended, exactly once; the event is committed if it passes the
 *       recording's threshold.</li>
 * </ol>
 * A call that ends while another thread still sends it (a timeout during backpressure) may be
 * recorded as not yet sent.
 */
public sealed interface CallTrace permits CallEvent {
    /** {@link #toLane}: the call's argument is being sent to a worker lane. */
    static void toLane(CallTrace trace, int lane, MemorySegment request) {
        toLane(trace, lane, request.byteSize());
    }

    /** {@link #toLane}, given the request's length in bytes. */
    static void toLane(CallTrace trace, int lane, long requestBytes) {
        if (trace != null) {
            trace.onLane(lane, false, requestBytes);
        }
    }

    /** {@link #inline}: the calling thread runs the call itself (the inline lane {@code lane}). */
    static void inline(CallTrace trace, int lane, MemorySegment request) {
        if (trace != null) {
            trace.onLane(lane, true, request.byteSize());
            trace.onSent();
        }
    }

    /** The request is in the ring (not yet committed). */
    static void sent(CallTrace trace) {
        if (trace != null) {
            trace.onSent();
        }
    }

    /** The answer arrived with {@code answer} as its payload. */
    static void answered(CallTrace trace, MemorySegment answer) {
        if (trace != null) {
            trace.onAnswer(answer.byteSize());
        }
    }

    /** The call ended; {@code future} is its completed future. Called once per call. */
    static void ended(CallTrace trace, CompletableFuture<?> future) {
        if (trace != null) {
            trace.onEnd(future);
        }
    }

    /** Records the lane, whether it is the inline lane, and the argument's encoded size. */
    void onLane(int lane, boolean inline, long bytesIn);

    /** Records the moment the request reached the worker's ring. */
    void onSent();

    /** Records the answer's encoded size. */
    void onAnswer(long bytesOut);

    /** Ends the event and commits it if the recording wants it. */
    void onEnd(CompletableFuture<?> future);
}
