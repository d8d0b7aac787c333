package dev.knitting.internal.worker;

import dev.knitting.TaskContext;
import dev.knitting.internal.task.TaskDefinition;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs one task body and hands its outcome to an {@link Answer} exactly once: the value, the thrown
 * exception, or for async tasks whatever the returned stage completes with (on the thread that
 * completes it). Shared by worker lanes and the inline lane.
 */
public final class TaskRunner {
    private TaskRunner() {
    }

    /** Where the outcome goes. */
    @FunctionalInterface
    public interface Answer {
        /**
         * @param status {@link ResponseStatus#VALUE} or {@link ResponseStatus#FAILURE}
         * @param value the result, or the {@code Throwable} for a failure
         */
        void send(int status, Object value);
    }

    /** Invokes {@code task} and answers (now, or when its stage completes). */
    public static void run(TaskDefinition task, Object argument, TaskContext context, Answer answer) {
        Object result;
        try {
            result = task.body().invoke(argument, context);
        } catch (Throwable t) {
            answer.send(ResponseStatus.FAILURE, t);
            return;
        }
        if (task.kind() != TaskDefinition.Kind.ASYNC) {
            answer.send(ResponseStatus.VALUE, result);
        } else if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((value, failure) -> {
                if (failure == null) {
                    answer.send(ResponseStatus.VALUE, value);
                } else {
                    answer.send(ResponseStatus.FAILURE, failure instanceof CompletionException
                            && failure.getCause() != null ? failure.getCause() : failure);
                }
            });
        } else {
            answer.send(ResponseStatus.FAILURE,
                    new NullPointerException("async task returned null instead of a CompletionStage"));
        }
    }
}
