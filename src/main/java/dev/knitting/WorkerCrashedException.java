package dev.knitting;

import java.util.OptionalInt;

/**
 * The worker that had taken the call died before answering. Carries the exit code and signal of a
 * process worker and the tail of its standard error (empty for thread workers).
 */
public class WorkerCrashedException extends KnittingException {
    private static final long serialVersionUID = 1L;

    /** The process exit code, or {@code null} when unknown or not a process. */
    private final Integer exitCode;
    /** The terminating signal number, or {@code null}. */
    private final Integer signal;
    /** The last lines the worker wrote to standard error, never {@code null}. */
    private final String stderrTail;

    /**
     * Creates the exception.
     *
     * @param message what happened to which worker
     * @param exitCode the process exit code, or {@code null} when unknown or not a process
     * @param signal the terminating signal number, or {@code null}
     * @param stderrTail the last lines the worker wrote to standard error, or {@code ""}
     * @param cause the underlying failure, or {@code null}
     */
    public WorkerCrashedException(String message, Integer exitCode, Integer signal, String stderrTail,
                                  Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.signal = signal;
        this.stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /** {@return the worker process's exit code, if it was a process that exited} */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** {@return the signal that killed the worker process, if any} */
    public OptionalInt signal() {
        return signal == null ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /** {@return the tail of the worker's standard error, possibly empty} */
    public String stderrTail() {
        return stderrTail;
    }
}
