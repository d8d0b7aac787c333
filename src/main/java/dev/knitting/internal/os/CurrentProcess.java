package dev.knitting.internal.os;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * This JVM's process id, read once. On Linux it comes from the {@code NSpid} line of {@code
 * /proc/self/status}: its last field is the pid in the process's own pid namespace, what {@code
 * getpid()} answers, even when the mounted {@code /proc} belongs to an ancestor namespace (whose
 * {@code /proc/self} link would name another number). Reading it costs a cold JVM about a
 * millisecond; {@code ProcessHandle.current()} instead initializes the JDK's process-reaper
 * machinery (a thread pool and native set-up), several milliseconds of a cold start, for a number
 * that never changes. Without {@code /proc} or that line (kernels before 4.1), {@code
 * ProcessHandle} answers.
 */
public final class CurrentProcess {
    /** {@code /proc/self/status} is about 1.5 KB; {@code NSpid} is in its first thirty lines. */
    private static final int STATUS_BYTES = 8192;

    private CurrentProcess() {
    }

    /** @return this process's pid */
    public static long pid() {
        return Holder.PID;
    }

    /**
     * @param status the text of {@code /proc/self/status} (or its first part)
     * @return the last field of its {@code NSpid} line, or -1 when there is none or it is not a
     *     positive decimal number
     */
    static long nsPid(String status) {
        int newline = status.indexOf("\nNSpid:");
        int line = status.startsWith("NSpid:") ? 0 : newline < 0 ? -1 : newline + 1;
        if (line < 0) {
            return -1;
        }
        int end = status.indexOf('\n', line);
        if (end < 0) {
            return -1; // cut short: the last field may be incomplete
        }
        String fields = status.substring(line + "NSpid:".length(), end).strip();
        int space = Math.max(fields.lastIndexOf(' '), fields.lastIndexOf('\t'));
        return parsePid(fields.substring(space + 1));
    }

    /** @return {@code digits} as a pid, or -1 unless it is 1 to 18 decimal digits and positive */
    static long parsePid(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        long pid = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return pid > 0 ? pid : -1;
    }

    private static final class Holder {
        static final long PID = read();

        private static long read() {
            try (InputStream in = new FileInputStream("/proc/self/status")) {
                long pid = nsPid(new String(in.readNBytes(STATUS_BYTES), StandardCharsets.ISO_8859_1));
                if (pid > 0) {
                    return pid;
                }
            } catch (IOException | SecurityException e) {
                // no procfs here: ask the JDK
            }
            return ProcessHandle.current().pid();
        }
    }
}
