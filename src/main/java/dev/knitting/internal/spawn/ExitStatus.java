package dev.knitting.internal.spawn;

/**
 * How a worker process ended, decoded from {@code Process.exitValue()}.
 *
 * <p>What the JDK reports on Linux (verified on JDK 25, Temurin, x86-64): a child killed by signal
 * N has {@code exitValue() == 128 + N} ({@code destroyForcibly()}: 137, a {@code kill -USR1}: 138),
 * exactly what a child calling {@code System.exit(128 + N)} reports; the two cannot be told apart
 * from the value. A JVM child turns some signals into an ordinary exit with the same number
 * (SIGTERM from {@code destroy()}: 143, SIGINT 130, SIGHUP 129, after shutdown hooks) and crashes
 * (SIGSEGV, an internal error) into SIGABRT: 134. Exit codes are taken modulo 256
 * ({@code System.exit(300)} reports 44, {@code System.exit(-1)} 255).
 *
 * <p>So a value in [129, 192] is decoded as signal {@code value - 128}; worker entry points must
 * keep their own exit codes below 128 for this to be exact. {@link #stopRequested()} says whether
 * the host itself asked the process to stop (kill or terminate) before it ended.
 *
 * @param exitValue {@code Process.exitValue()}
 * @param signal the signal that ended the process (or that it died on behalf of), 0 if none
 * @param stopRequested whether the host called {@code kill()} or {@code terminate()} before the end
 */
public record ExitStatus(int exitValue, int signal, boolean stopRequested) {
    /** Highest signal number Linux uses (real-time signals included). */
    static final int MAX_SIGNAL = 64;

    /** Checks that {@code signal} agrees with {@code exitValue}. */
    public ExitStatus {
        if (signal != signalOf(exitValue)) {
            throw new IllegalArgumentException("signal=" + signal + " does not match exitValue=" + exitValue);
        }
    }

    /** @return the status of a process that reported {@code exitValue} */
    public static ExitStatus of(int exitValue, boolean stopRequested) {
        return new ExitStatus(exitValue, signalOf(exitValue), stopRequested);
    }

    /** @return whether a signal ended the process */
    public boolean signaled() {
        return signal != 0;
    }

    /** @return the exit code when no signal ended the process, else -1 */
    public int code() {
        return signaled() ? -1 : exitValue;
    }

    /**
     * @return e.g. {@code "exit code 3"}, {@code "killed by signal 9 (SIGKILL, exit value 137)"},
     *     with {@code ", stop requested by the host"} when it was
     */
    public String describe() {
        String what = signaled()
                ? "killed by signal " + signal + " (" + signalName(signal) + ", exit value " + exitValue + ")"
                : "exit code " + exitValue;
        return stopRequested ? what + ", stop requested by the host" : what;
    }

    @Override
    public String toString() {
        return describe();
    }

    static int signalOf(int exitValue) {
        return exitValue > 128 && exitValue <= 128 + MAX_SIGNAL ? exitValue - 128 : 0;
    }

    /** @return the Linux name of the common signals (same numbers on x86-64 and aarch64), else "SIG" + n */
    static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT, a JVM crash";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 10 -> "SIGUSR1";
            case 11 -> "SIGSEGV";
            case 12 -> "SIGUSR2";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            case 24 -> "SIGXCPU";
            case 25 -> "SIGXFSZ";
            default -> "SIG" + signal;
        };
    }
}
