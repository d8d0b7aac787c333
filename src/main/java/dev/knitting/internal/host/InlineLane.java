package dev.knitting.internal.host;

import dev.knitting.internal.share.Received;

import dev.knitting.TaskContext;
import dev.knitting.internal.observe.CallTrace;
import dev.knitting.internal.task.TaskDefinition;
import dev.knitting.internal.worker.ResponseStatus;
import dev.knitting.internal.worker.BatchRunner;
import dev.knitting.internal.worker.TaskRunner;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The calling thread as an extra lane: it runs the call itself. Argument and result still go
 * through the codec, so a call behaves exactly as on a worker (same copies, same payload errors,
 * same exception rebuilding).
 */
final class InlineLane {
    private final CallCompletion completion;
    private final int workerIndex;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Calls started here and not answered yet, for shutdownNow. */
    private final Set<PendingCall> running = ConcurrentHashMap.newKeySet();

    InlineLane(CallCompletion completion, int workerIndex) {
        this.completion = completion;
        this.workerIndex = workerIndex;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Fails every call still running here (an async task's stage not completed yet): shutdownNow. */
    void failAll(Supplier<Throwable> failure) {
        for (PendingCall call : running) {
            if (running.remove(call)) {
                completion.fail(call, failure.get());
            }
        }
    }

    void run(PendingCall call, MemorySegment encodedArgument) {
        CallTrace.inline(call.trace(), workerIndex, encodedArgument);
        inFlight.incrementAndGet();
        running.add(call);
        Object argument;
        Received received;
        try {
            CallCompletion.DecodedArgument decoded = completion.decodeArgument(encodedArgument);
            argument = decoded.value();
            received = decoded.received();
        } catch (RuntimeException e) {
            end(call, ResponseStatus.FAILURE, e);
            return;
        }
        TaskDefinition task = call.task().definition();
        TaskContext context = new TaskContext() {
            @Override
            public boolean aborted() {
                return call.abortRequested();
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public int workerIndex() {
                return workerIndex;
            }
        };
        TaskRunner.Answer answer = (status, value) -> {
            end(call, status, value);
            if (received != null) {
                received.closeBuffers(); // as a worker does when the call is over
            }
        };
        if (call.chunk() != null) {
            BatchRunner.run(task, (List<?>) argument, context, answer); // the host encoded a list
        } else {
            TaskRunner.run(task, argument, context, answer);
        }
    }

    private void end(PendingCall call, int status, Object value) {
        inFlight.decrementAndGet();
        running.remove(call);
        completion.answerLocally(call, status, value);
    }
}
