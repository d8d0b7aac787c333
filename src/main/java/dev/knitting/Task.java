package dev.knitting;

import dev.knitting.internal.task.ApiAccess;
import dev.knitting.internal.task.CallControl;
import dev.knitting.internal.task.ImportedTask;
import dev.knitting.internal.task.TaskDefinition;
import dev.knitting.internal.task.TaskDefinition.Kind;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec;
import dev.knitting.internal.task.TaskDefinition.TimeoutSpec.Outcome;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A unit of work a pool runs on its workers. Export it as a {@code public static final} field of a
 * public class and start the pool with that class, so that every worker, in this JVM or another,
 * finds the same task:
 *
 * {@snippet :
 * public final class Tasks {
 *     public static final Task<Integer, Integer> SQUARE = Task.of(v -> v * v);
 * }
 * try (Pool pool = Knitting.pool().threads(2).start(Tasks.class)) {
 *     int four = pool.call(Tasks.SQUARE, 2).join();
 * }
 * }
 *
 * Each task takes one argument and returns one value; records, lists and maps carry several.
 * Instances are immutable; {@code timeout(...)} returns a new task.
 *
 * @param <A> the argument type
 * @param <R> the result type
 */
public final class Task<A, R> {
    private static final StackWalker WALKER =
            StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    static {
        ApiAccess.register(new ApiAccess() {
            @Override
            public TaskDefinition definition(Task<?, ?> task) {
                return task.definition;
            }

            @Override
            public <T> TaskCall<T> newCall(CallControl control) {
                return new TaskCall<>(control);
            }
        });
    }

    private final TaskDefinition definition;

    private Task(TaskDefinition definition) {
        this.definition = definition;
    }

    /**
     * A task that maps its argument to a result.
     *
     * @param function the body; runs on a worker
     * @param <A> the argument type
     * @param <R> the result type
     * @return the task
     */
    public static <A, R> Task<A, R> of(Function<? super A, ? extends R> function) {
        Objects.requireNonNull(function, "function");
        @SuppressWarnings("unchecked")
        Function<Object, Object> f = (Function<Object, Object>) function;
        return new Task<>(new TaskDefinition(Kind.PLAIN, new FunctionBody(f), null, WALKER.getCallerClass()));
    }

    /**
     * An abort-aware task: it also receives the call's {@link TaskContext}, whose
     * {@link TaskContext#aborted()} turns true on {@link TaskCall#abort()}, {@code cancel(true)}
     * or a timeout. Each running call holds one of the lane's abort slots.
     *
     * @param function the body; runs on a worker
     * @param <A> the argument type
     * @param <R> the result type
     * @return the task
     */
    public static <A, R> Task<A, R> withContext(BiFunction<? super A, TaskContext, ? extends R> function) {
        Objects.requireNonNull(function, "function");
        @SuppressWarnings("unchecked")
        BiFunction<Object, TaskContext, Object> f = (BiFunction<Object, TaskContext, Object>) function;
        return new Task<>(new TaskDefinition(Kind.CONTEXT, new ContextBody(f), null, WALKER.getCallerClass()));
    }

    /**
     * An asynchronous task: the worker takes further calls while the returned stage is pending and
     * answers when it completes.
     *
     * @param function the body; runs on a worker and returns a stage of the result
     * @param <A> the argument type
     * @param <R> the result type
     * @return the task
     */
    public static <A, R> Task<A, R> async(Function<? super A, ? extends CompletionStage<R>> function) {
        Objects.requireNonNull(function, "function");
        @SuppressWarnings("unchecked")
        Function<Object, Object> f = (Function<Object, Object>) (Function<?, ?>) function;
        return new Task<>(new TaskDefinition(Kind.ASYNC, new FunctionBody(f), null, WALKER.getCallerClass()));
    }

    /**
     * A task that only workers load: the host never loads {@code className}, it sends the name, and
     * each worker loads the class from its class path plus the pool's
     * {@link PoolBuilder#workerClassPath workerClassPath} entries (thread workers through a class
     * loader over those entries whose parent is the host's). Keeps code the host must not run, or
     * cannot link, on the workers:
     *
     * {@snippet :
     * Task<String, String> transform = Task.imported("com.example.plugin.Plugin", "transform");
     * try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS)
     *         .workerClassPath(Path.of("plugins/plugin.jar")).start(transform)) {
     *     String out = pool.call(transform, "in").join();
     * }
     * }
     *
     * On the worker, {@code member} names a static {@code Task} field of the class, else its one
     * public static one-argument method of that name; a worker that finds neither, or several
     * such methods, fails {@code start} with an error naming the task. Imported tasks never run on
     * the inline lane, so a pool of {@code threads(0)} refuses them. Records and enums of the
     * class's package are allowed as payloads; a result whose class the host cannot load fails its
     * call with {@link PayloadException}. The host cannot see whether the member is abort-aware:
     * calls of an imported task hold no abort slot and its {@link TaskContext#aborted()} stays
     * false (timeouts and {@code cancel} still end the call on the host). The same class and member
     * imported twice are the same task of a pool.
     *
     * @param className the binary name of a public class, such as {@code com.example.Plugin}
     * @param member the name of a static {@code Task} field or public static one-argument method
     * @param <A> the argument type
     * @param <R> the result type
     * @return the task; export it or pass it to {@link PoolBuilder#start(Task[])}
     * @throws IllegalArgumentException if a name is not a valid Java name (the message names it)
     */
    public static <A, R> Task<A, R> imported(String className, String member) {
        ImportedTask imported = new ImportedTask(className, member);
        return new Task<>(TaskDefinition.imported(imported, WALKER.getCallerClass()));
    }

    /**
     * This task with a time limit per call, measured from {@code call}: a call still running then
     * fails with {@link TaskTimeoutException} and its abort flag is raised.
     *
     * @param limit a positive duration
     * @return a new task
     */
    public Task<A, R> timeout(Duration limit) {
        return withTimeout(new TimeoutSpec(checkLimit(limit), Outcome.FAIL, null, null));
    }

    /**
     * This task with a time limit per call: a call still running then completes with
     * {@code fallback} and its abort flag is raised.
     *
     * @param limit a positive duration
     * @param fallback the value of a call that timed out (may be {@code null})
     * @return a new task
     */
    public Task<A, R> timeout(Duration limit, R fallback) {
        return withTimeout(new TimeoutSpec(checkLimit(limit), Outcome.FALLBACK, fallback, null));
    }

    /**
     * This task with a time limit per call: a call still running then fails with the exception
     * {@code error} supplies, and its abort flag is raised.
     *
     * @param limit a positive duration
     * @param error supplies the exception of a call that timed out
     * @return a new task
     */
    public Task<A, R> timeout(Duration limit, Supplier<? extends RuntimeException> error) {
        Objects.requireNonNull(error, "error");
        return withTimeout(new TimeoutSpec(checkLimit(limit), Outcome.ERROR, null, error));
    }

    /**
     * Starts a pool for this task alone. The task must still be exported (a public static final
     * field of a public class) when process workers run it.
     *
     * @param configure sets options on the pool builder, for example {@code b -> b.threads(2)}
     * @return the running single-task pool
     */
    public SingleTaskPool<A, R> pool(Consumer<PoolBuilder> configure) {
        Objects.requireNonNull(configure, "configure");
        PoolBuilder builder = Knitting.pool();
        configure.accept(builder);
        return new SingleTaskPool<>(builder.start(this), this);
    }

    private Task<A, R> withTimeout(TimeoutSpec spec) {
        return new Task<>(definition.withTimeout(spec));
    }

    private static Duration checkLimit(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("timeout=" + limit + " must be positive");
        }
        return limit;
    }

    @Override
    public String toString() {
        return "Task[" + definition.kind() + (definition.imported() == null ? "" : " "
                + definition.imported().className() + "#" + definition.imported().member())
                + (definition.timeout() == null ? "" : ", timeout=" + definition.timeout().after())
                + ", created in " + definition.creator().getName() + "]";
    }

    /** A function's body; a class, not a lambda: no class spun when a cold JVM makes its first task. */
    private static final class FunctionBody implements TaskDefinition.Body {
        private final Function<Object, Object> function;

        FunctionBody(Function<Object, Object> function) {
            this.function = function;
        }

        @Override
        public Object invoke(Object argument, TaskContext context) {
            return function.apply(argument);
        }
    }

    /** An abort-aware function's body. */
    private static final class ContextBody implements TaskDefinition.Body {
        private final BiFunction<Object, TaskContext, Object> function;

        ContextBody(BiFunction<Object, TaskContext, Object> function) {
            this.function = function;
        }

        @Override
        public Object invoke(Object argument, TaskContext context) {
            return function.apply(argument, context);
        }
    }
}
