package dev.knitting.internal.task;

import dev.knitting.TaskContext;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a {@code Task} is underneath: how to run it and what its timeout does. Shared by the host
 * (timeouts, inline lane) and the worker (invocation). Immutable.
 *
 * @param kind how the body is called and what it returns
 * @param body the task body; returns the result, or a {@code CompletionStage} for {@link Kind#ASYNC}
 * @param timeout the per-call timeout, or {@code null}
 * @param creator the class whose code created the task (where its exporting field is looked for)
 * @param imported for {@link Kind#IMPORTED}: the class and member workers resolve; else {@code null}
 */
public record TaskDefinition(Kind kind, Body body, TimeoutSpec timeout, Class<?> creator, ImportedTask imported) {

    /** A task whose body is here (not imported). */
    public TaskDefinition(Kind kind, Body body, TimeoutSpec timeout, Class<?> creator) {
        this(kind, body, timeout, creator, null);
    }

    /** How a task body is called. */
    public enum Kind {
        /** {@code Task.of}: argument in, value out. */
        PLAIN,
        /** {@code Task.withContext}: also receives a {@link TaskContext}; holds an abort slot. */
        CONTEXT,
        /** {@code Task.async}: returns a {@code CompletionStage}. */
        ASYNC,
        /**
         * {@code Task.imported}: the host holds only the name; each worker resolves it to a task of
         * one of the other kinds. The host cannot tell whether that task is abort-aware, so its
         * calls hold no abort slot.
         */
        IMPORTED
    }

    /**
     * The host's stand-in for an imported task. Its body refuses to run: imported tasks run only on
     * workers, never on the inline lane (a defence in depth: the balancer never picks that lane).
     */
    public static TaskDefinition imported(ImportedTask imported, Class<?> creator) {
        String name = imported.tableName();
        return new TaskDefinition(Kind.IMPORTED, (arg, ctx) -> {
            throw new IllegalStateException("imported task " + name + " runs only on workers, never on the host");
        }, null, creator, imported);
    }

    /** The uniform shape every task body is adapted to. */
    @FunctionalInterface
    public interface Body {
        /**
         * @param argument the decoded argument
         * @param context the call's context (never {@code null})
         * @return the result, or a {@code CompletionStage} of it for async tasks
         * @throws Throwable whatever the task throws
         */
        Object invoke(Object argument, TaskContext context) throws Throwable;
    }

    /**
     * What happens when a call runs past its time.
     *
     * @param after the limit, measured from {@code call}
     * @param outcome {@link Outcome#FAIL} (TaskTimeoutException), {@link Outcome#FALLBACK}, or
     *        {@link Outcome#ERROR}
     * @param fallback the value for {@code FALLBACK}
     * @param error the exception supplier for {@code ERROR}
     */
    public record TimeoutSpec(Duration after, Outcome outcome, Object fallback,
                              Supplier<? extends RuntimeException> error) {
        /** The three timeout forms of {@code Task.timeout}. */
        public enum Outcome { FAIL, FALLBACK, ERROR }

        /** @return the exception of an {@link Outcome#ERROR} timeout; the supplier's own if it throws one */
        public RuntimeException newError() {
            try {
                return error.get();
            } catch (RuntimeException e) {
                return e;
            }
        }
    }

    /** @return a copy with another timeout */
    public TaskDefinition withTimeout(TimeoutSpec spec) {
        return new TaskDefinition(kind, body, spec, creator, imported);
    }

    /** @return whether calls of this task hold an abort slot while at the worker */
    public boolean abortAware() {
        return kind == Kind.CONTEXT;
    }
}
