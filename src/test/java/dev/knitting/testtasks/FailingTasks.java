package dev.knitting.testtasks;

import dev.knitting.Task;
import java.io.IOException;

/** Tasks that throw, each in a different way; the worker must survive every one. */
public final class FailingTasks {
    /** Throws {@link IllegalArgumentException}(message) caused by {@link IllegalStateException}("root of " + message). */
    public static final Task<String, String> THROW_IAE = Task.of(message -> {
        throw new IllegalArgumentException(message, new IllegalStateException("root of " + message));
    });
    /** Throws {@link BadThingException}, a type only this code base knows. */
    public static final Task<String, String> THROW_CUSTOM = Task.of(message -> {
        throw new BadThingException(message, new IllegalStateException("inner " + message));
    });
    /** Throws a subclass of a JDK exception type, which is not itself a JDK type. */
    public static final Task<String, String> THROW_CUSTOM_IAE = Task.of(message -> {
        throw new BadArgumentException(message);
    });
    /** Throws {@link UnsupportedOperationException} with two suppressed exceptions. */
    public static final Task<String, String> THROW_WITH_SUPPRESSED = Task.of(message -> {
        UnsupportedOperationException e = new UnsupportedOperationException(message);
        e.addSuppressed(new IllegalStateException("first suppressed"));
        e.addSuppressed(new ArithmeticException("second suppressed"));
        throw e;
    });
    /** Throws an {@link AssertionError}: an {@code Error}, not an {@code Exception}. */
    public static final Task<String, String> THROW_ERROR = Task.of(message -> {
        throw new AssertionError(message);
    });
    /** Throws {@link IllegalStateException}(message) whose cause's cause is itself again: a cyclic chain. */
    public static final Task<String, String> THROW_CYCLIC_CAUSE = Task.of(message -> {
        IllegalStateException outer = new IllegalStateException(message);
        IllegalArgumentException inner = new IllegalArgumentException("inner", outer);
        outer.initCause(inner);
        throw outer;
    });
    /** Throws {@link IllegalStateException} whose message has {@code length} characters. */
    public static final Task<Integer, String> THROW_HUGE_MESSAGE = Task.of(length -> {
        throw new IllegalStateException("m".repeat(length));
    });
    /** Returns {@link HostTrap#PREBUILT}, which the host cannot rebuild once it armed {@link HostTrap}. */
    public static final Task<Integer, HostTrap> RETURN_HOST_TRAP = Task.of(ignored -> HostTrap.PREBUILT);
    /** Recurses until the worker's stack overflows. */
    public static final Task<Integer, Integer> OVERFLOW_STACK = Task.of(FailingTasks::recurse);

    private FailingTasks() {
    }

    /**
     * A bare task that throws a checked exception.
     *
     * @param message the exception message
     * @return never
     * @throws IOException always
     */
    public static String failChecked(String message) throws IOException {
        throw new IOException(message);
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** An exception type the JDK does not know: it arrives as {@code RemoteTaskException}. */
    public static final class BadThingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message the message
         * @param cause the cause
         */
        public BadThingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A subclass of a JDK exception: still not a JDK type. */
    public static final class BadArgumentException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** @param message the message */
        public BadArgumentException(String message) {
            super(message);
        }
    }
}
