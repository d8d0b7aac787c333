package dev.knitting.internal.host;

import dev.knitting.ProtocolException;
import dev.knitting.TaskCall;
import dev.knitting.internal.codec.PayloadDecoder;
import dev.knitting.internal.codec.PayloadEncoder;
import dev.knitting.internal.observe.CallTrace;
import dev.knitting.internal.share.Received;
import dev.knitting.internal.share.DescriptorChannel;
import dev.knitting.internal.share.Transfers;
import dev.knitting.internal.worker.ResponseEncoding;
import dev.knitting.internal.worker.ResponseStatus;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one place a call ends: completes its future from an answer or a failure, settles what its
 * sends held, counts it, and tells the pool when the last admitted call has ended. Every path
 * (answer, timeout, cancel, crash, corruption, shutdown) ends a call here, and
 * {@link PendingCall#markEnded()} makes that happen exactly once.
 *
 * <p>{@code outstanding} counts admitted calls that have not ended: the pool admits a call by
 * incrementing it and then checking its own state, and shutdown sets the state and then checks the
 * count, so whichever side sees zero last starts the stop, exactly once.
 */
final class CallCompletion {
    private final CodecStock<PayloadEncoder> encoders;
    private final CodecStock<PayloadDecoder> decoders;
    private final long maxPayloadBytes;
    private final Runnable lastEnded;
    private final AtomicLong outstanding = new AtomicLong();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();

    /**
     * @param lastEnded run when a call's end brings {@link #outstanding()} to zero; it checks
     *     whether the pool is draining
     */
    CallCompletion(CodecStock<PayloadEncoder> encoders, CodecStock<PayloadDecoder> decoders, long maxPayloadBytes,
                   Runnable lastEnded) {
        this.encoders = encoders;
        this.decoders = decoders;
        this.maxPayloadBytes = maxPayloadBytes;
        this.lastEnded = lastEnded;
    }

    /** Counts a call as admitted; it must end here later. */
    void admitted() {
        outstanding.incrementAndGet();
    }

    /** @return admitted calls that have not ended */
    long outstanding() {
        return outstanding.get();
    }

    long completed() {
        return completed.sum();
    }

    long failed() {
        return failed.sum();
    }

    /**
     * Completes a call from an encoded answer (a worker's, or the inline lane's). Whatever the
     * answer holds, the call ends: a payload that cannot be decoded fails this call only, and an
     * answer that exhausts the heap or the stack while decoding fails it with {@link
     * ProtocolException}, so the thread that collected it goes on serving its lane. A {@code callAll}
     * chunk's answer that breaks the protocol (see {@link BatchChunk#violation}) fails the call and
     * is then thrown, so that the collector retires the worker as for a corrupt lane.
     *
     * @throws ProtocolException after ending the call, if the answer to a chunk breaks the protocol
     */
    void answer(PendingCall call, int status, MemorySegment payload) {
        CallTrace.answered(call.trace(), payload);
        if (status == ResponseStatus.VALUE) {
            call.answeredWithValue(); // the worker decoded the whole request (kept buffers, see end)
        }
        TaskCall<Object> future = call.future();
        boolean taken = false;
        ProtocolException violation = null;
        Received received = null;
        try {
            call.cancelTimer();
            // decoded even when nobody waits any more: shared buffers and references in it must be ended
            Incarnation from = call.incarnation(); // null on the inline lane
            DescriptorChannel channel = from == null ? null : from.worker().descriptors();
            Object value;
            PayloadDecoder decoder = decoders.take();
            try {
                value = channel == null ? decoder.decode(payload) // thread workers: no object per answer
                        : DescriptorChannel.decodingAnswerOf(channel, () -> decoder.decode(payload));
            } finally {
                received = decoder.takeReceived();
                decoders.giveBack(decoder);
            }
            BatchChunk chunk = call.chunk();
            if (chunk != null) {
                violation = chunk.violation(status, value);
                if (violation == null) {
                    taken = chunk.complete(future, status, value);
                } else {
                    future.completeExceptionally(violation);
                }
            } else if (status == ResponseStatus.VALUE) {
                taken = future.complete(value);
            } else if (status == ResponseStatus.FAILURE && value instanceof Throwable t) {
                taken = future.completeExceptionally(t);
            } else {
                future.completeExceptionally(new ProtocolException("answer with status " + status
                        + " carries a " + (value == null ? "null" : value.getClass().getName())));
            }
        } catch (RuntimeException | LinkageError e) {
            future.completeExceptionally(e);
        } catch (VirtualMachineError e) {
            future.completeExceptionally(new ProtocolException("the answer could not be decoded: " + e, e));
        } catch (Error e) {
            future.completeExceptionally(e);
            throw e;
        } finally {
            if (received != null && !taken) {
                received.discard();
            }
            end(call);
        }
        if (violation != null) {
            throw violation; // the worker broke the protocol: whoever collected the answer retires its lane
        }
    }

    /** Encodes and decodes an inline answer so it is the same as a worker's. */
    void answerLocally(PendingCall call, int status, Object value) {
        PayloadEncoder encoder = encoders.take();
        try {
            int code = ResponseEncoding.encode(encoder, status, value, maxPayloadBytes);
            answer(call, code, encoder.encoded());
        } finally {
            encoder.sent();
            encoders.giveBack(encoder);
        }
    }

    /** An inline call's decoded argument and the shared buffers and references in it (or null). */
    record DecodedArgument(Object value, Received received) {
    }

    /** Decodes an argument for the inline lane, as a worker would. */
    DecodedArgument decodeArgument(MemorySegment payload) {
        PayloadDecoder decoder = decoders.take();
        try {
            Object value = decoder.decode(payload);
            return new DecodedArgument(value, decoder.takeReceived());
        } finally {
            decoders.giveBack(decoder);
        }
    }

    /** Ends a call with an exception (unless it already completed, e.g. by a timeout). */
    void fail(PendingCall call, Throwable failure) {
        call.cancelTimer();
        call.future().completeExceptionally(failure);
        end(call);
    }

    /** Ends a call whose future is already complete (cancelled, timed out) and that will not be sent again. */
    void end(PendingCall call) {
        if (!call.markEnded()) {
            return;
        }
        CallTrace.ended(call.trace(), call.future());
        Transfers transfers = call.takeTransfers();
        if (transfers != null) {
            // only a worker's answer says it decoded the request: a caller may complete the future itself
            transfers.settle(call.workerAnsweredWithValue());
        }
        if (call.future().isCompletedExceptionally()) {
            failed.increment();
        } else {
            completed.increment();
        }
        if (outstanding.decrementAndGet() == 0) {
            lastEnded.run();
        }
    }
}
