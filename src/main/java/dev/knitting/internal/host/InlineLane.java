package dev.knitting.internal.host;

import dev.knitting.internal.share.Received;

import dev.knitting.TaskContext;
import dev.knitting.internal.task.TaskDefinition;
import dev.knitting.internal.worker.ResponseStatus;
import dev.knitting.internal.worker.TaskRunner;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calling thread as an extra lane: it runs the call itself. Argument and result still go
 * through the codec, so a call behaves exactly as on a worker (same copies, same payload errors,
 * same exception rebuilding).
 */
final class InlineLane {
    private final PoolRuntime runtime;
    private final int workerIndex;
    private final AtomicInteger inFlight = new AtomicInteger();

    InlineLane(PoolRuntime runtime, int workerIndex) {
        this.runtime = runtime;
        this.workerIndex = workerIndex;
    }

    int inFlight() {
        return inFlight.get();
    }

    void run(PendingCall call, MemorySegment encodedArgument) {
        inFlight.incrementAndGet();
        Object argument;
        Received received;
        try {
            argument = runtime.decode(encodedArgument);
            received = runtime.takeReceived();
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
        TaskRunner.run(task, argument, context, (status, value) -> {
            end(call, status, value);
            if (received != null) {
                received.closeBuffers(); // as a worker does when the call is over
            }
        });
    }

    private void end(PendingCall call, int status, Object value) {
        inFlight.decrementAndGet();
        runtime.answerLocally(call, status, value);
    }
}
