package dev.knitting.internal.worker;

import dev.knitting.TaskContext;
import dev.knitting.internal.task.TaskDefinition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one chunk of a {@code callAll}: the task once per element, in order, and answers the chunk
 * exactly once: {@link ResponseStatus#VALUE} with the list of results (one per element, in order),
 * or {@link ResponseStatus#ELEMENT_FAILURE} with {@code [index, throwable]} for the first element
 * that failed; later elements do not run. The abort flag is checked before every element, so a
 * chunk whose call was cancelled, aborted or failed elsewhere stops between elements (an element
 * not run because of it fails with {@link CancellationException}).
 *
 * <p>Synchronous tasks run in a loop on the calling thread (as {@link TaskRunner} runs one). An async task's next element starts
 * when the previous element's stage completes, on the thread that completes it; a trampoline keeps
 * a chain of stages that complete at once from growing the stack.
 */
public final class BatchRunner {
    private final TaskDefinition task;
    private final List<?> arguments;
    private final TaskContext context;
    private final TaskRunner.Answer answer;
    private final Object[] results;
    private int next;

    private BatchRunner(TaskDefinition task, List<?> arguments, TaskContext context, TaskRunner.Answer answer) {
        this.task = task;
        this.arguments = arguments;
        this.context = context;
        this.answer = answer;
        this.results = new Object[arguments.size()];
    }

    /**
     * Runs the chunk and answers it (now, or when the last async stage completes).
     *
     * @param arguments the chunk's elements, decoded
     */
    public static void run(TaskDefinition task, List<?> arguments, TaskContext context, TaskRunner.Answer answer) {
        if (task.kind() == TaskDefinition.Kind.ASYNC) {
            new BatchRunner(task, arguments, context, answer).drive();
        } else {
            runSynchronous(task, arguments, context, answer);
        }
    }

    /** The common case: a loop on this thread, with no object per element. */
    private static void runSynchronous(TaskDefinition task, List<?> arguments, TaskContext context,
                                       TaskRunner.Answer answer) {
        int size = arguments.size();
        ArrayList<Object> results = new ArrayList<>(size);
        for (int index = 0; index < size; index++) {
            if (context.aborted()) {
                answer.send(ResponseStatus.ELEMENT_FAILURE, abortedBefore(index));
                return;
            }
            Object result;
            try {
                result = task.body().invoke(arguments.get(index), context);
            } catch (Throwable t) {
                answer.send(ResponseStatus.ELEMENT_FAILURE, List.of(index, t));
                return;
            }
            results.add(result);
        }
        answer.send(ResponseStatus.VALUE, results);
    }

    private static List<Object> abortedBefore(int index) {
        return List.of(index, new CancellationException("the call was aborted before element " + index
                + " of its chunk ran"));
    }

    /** Runs elements until the chunk is answered or an element's answer is still to come (async). */
    private void drive() {
        while (true) {
            int index = next;
            if (index == results.length) {
                answer.send(ResponseStatus.VALUE, new ArrayList<>(Arrays.asList(results)));
                return;
            }
            if (context.aborted()) {
                answer.send(ResponseStatus.ELEMENT_FAILURE, abortedBefore(index));
                return;
            }
            ElementAnswer element = new ElementAnswer(index);
            TaskRunner.run(task, arguments.get(index), context, element);
            if (!element.answeredAlready()) {
                return; // an async stage answers later, and drives on from its thread
            }
            if (element.failed) {
                return;
            }
        }
    }

    /** One element's outcome; whoever of the driver and the answer comes second drives on. */
    private final class ElementAnswer extends AtomicBoolean implements TaskRunner.Answer {
        private static final long serialVersionUID = 1L;
        private final int index;
        private boolean failed;

        ElementAnswer(int index) {
            this.index = index;
        }

        @Override
        public void send(int status, Object value) {
            if (status == ResponseStatus.VALUE) {
                results[index] = value;
                next = index + 1;
            } else {
                failed = true;
                answer.send(ResponseStatus.ELEMENT_FAILURE, List.of(index, value));
            }
            if (!compareAndSet(false, true) && !failed) {
                drive(); // the driver has left: this (async) answer drives on
            }
        }

        /**
         * Called by the driver after the task returned.
         *
         * @return {@code true} if the element has answered already (the driver goes on), {@code false}
         *     if its answer is still to come (the answer will go on)
         */
        boolean answeredAlready() {
            return !compareAndSet(false, true);
        }
    }
}
