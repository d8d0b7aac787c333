package dev.knitting.internal.host;

import dev.knitting.TaskCall;
import dev.knitting.TaskTimeoutException;
import dev.knitting.internal.lane.Deadline;
import dev.knitting.internal.task.CallControl;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code callAll} as its caller sees it: one future for the whole list, fed by the chunks
 * ({@link BatchChunk}, each a {@link PendingCall} on some lane). Results land at their elements'
 * positions; when every element has a result the future completes with them in order. The first
 * failure of any chunk (an element's exception, a crash, a hard timeout, a shutdown) fails the
 * whole, and the whole's end, however it comes (failure, cancel, the task's timeout, a user's
 * {@code complete}), cancels the chunks still pending with their abort flags raised, so chunks
 * queued at a worker stop before their first element and running ones between two elements.
 *
 * <p>The task's timeout applies to the whole, from the call: {@code timeout(d)} fails it with
 * {@link TaskTimeoutException}, {@code timeout(d, supplier)} with the supplier's exception, and
 * {@code timeout(d, fallback)} completes it with the results that arrived and the fallback for
 * every element that had none.
 *
 * <p>Threads: the dispatching thread adds chunks; any thread completes them. {@code results} is
 * written under this object's monitor, and the whole completes from the thread whose chunk
 * brought {@code unanswered} to zero (the atomic decrement orders every chunk's writes before it).
 */
final class BatchCall implements CallControl {
    /** Marks a result not arrived yet; replaced by the fallback if the whole times out that way. */
    private static final Object NO_RESULT = new Object();

    private final String taskName;
    private final Object[] results;
    private final AtomicInteger unanswered;
    private final Queue<PendingCall> chunks = new ConcurrentLinkedQueue<>();
    private TaskCall<Object> whole;
    private volatile Future<?> timer;

    BatchCall(String taskName, int size) {
        this.taskName = taskName;
        this.results = new Object[size];
        Arrays.fill(results, NO_RESULT);
        this.unanswered = new AtomicInteger(size);
    }

    void bind(TaskCall<Object> future) {
        this.whole = future;
    }

    TaskCall<Object> future() {
        return whole;
    }

    int size() {
        return results.length;
    }

    /** Starts the task's timeout for the whole (none when {@code spec} is null). */
    void arm(CallTimer clock, TimeoutSpec spec) {
        if (spec != null) {
            timer = clock.schedule(spec.after(), () -> onTimeout(spec));
            if (whole.isDone()) {
                timer.cancel(false);
            }
        }
    }

    /** Registers a chunk before it is sent: a failure of its call fails the whole. */
    void add(PendingCall chunk) {
        chunks.add(chunk);
        chunk.future().whenComplete((value, failure) -> {
            if (failure != null) {
                whole.completeExceptionally(failure);
            }
        });
        if (whole.isDone()) {
            chunk.future().cancel(true);
        }
    }

    /**
     * Takes a chunk's results (already checked: one per element).
     *
     * @return whether they were taken; not when the whole has ended already
     */
    boolean accept(BatchChunk chunk, List<?> values) {
        synchronized (this) {
            if (whole.isDone()) {
                return false;
            }
            int at = chunk.offset();
            for (Object value : values) {
                results[at++] = value;
            }
        }
        if (unanswered.addAndGet(-chunk.size()) == 0) {
            whole.complete(Collections.unmodifiableList(Arrays.asList(results)));
        }
        return true;
    }

    /** @return the failure of the whole when element {@code index} failed with {@code cause} */
    Throwable elementFailure(int index, Throwable cause) {
        return new CompletionException("callAll of " + taskName + ": element " + index + " of " + results.length
                + " failed: " + cause, cause);
    }

    private void onTimeout(TimeoutSpec spec) {
        if (whole.isDone()) {
            return;
        }
        switch (spec.outcome()) {
            case FALLBACK -> {
                List<Object> withFallback;
                synchronized (this) {
                    if (whole.isDone()) {
                        return;
                    }
                    Object[] copy = results.clone();
                    for (int i = 0; i < copy.length; i++) {
                        if (copy[i] == NO_RESULT) {
                            copy[i] = spec.fallback();
                        }
                    }
                    withFallback = Collections.unmodifiableList(Arrays.asList(copy));
                }
                whole.complete(withFallback);
            }
            case ERROR -> whole.completeExceptionally(spec.newError());
            default -> whole.completeExceptionally(new TaskTimeoutException("callAll of " + taskName + " ("
                    + results.length + " elements) timed out after " + spec.after()));
        }
    }

    @Override
    public void abort(TaskCall<?> call) {
        for (PendingCall chunk : chunks) {
            chunk.abort(chunk.future());
        }
    }

    @Override
    public void awaitBriefly(TaskCall<?> call, long timeoutNanos) {
        long deadline = Deadline.after(timeoutNanos);
        for (PendingCall chunk : chunks) {
            if (whole.isDone() || Deadline.passed(deadline)) {
                return;
            }
            if (!chunk.future().isDone()) {
                chunk.awaitBriefly(chunk.future(), Deadline.remaining(deadline));
            }
        }
    }

    /** The whole ended (value, failure, cancel, timeout, user): stops its timer and the chunks still pending. */
    @Override
    public void completed(TaskCall<?> call) {
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        for (PendingCall chunk : chunks) {
            if (!chunk.future().isDone()) {
                chunk.future().cancel(true);
            }
        }
    }
}
