package dev.knitting.internal.spawn;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The last lines a worker process wrote to stderr, for error messages
 * ({@code WorkerCrashedException}). A daemon thread reads the pipe until end of file, keeps at most
 * {@code maxLines} lines and {@code maxChars} characters (oldest dropped first), and forwards each
 * line to a stream, prefixed with the worker's name, unless quiet. Lines longer than
 * {@link #MAX_LINE_CHARS} are split, so a child writing without newlines cannot grow the host's
 * memory.
 */
public final class StderrTail {
    /** Longest line kept or forwarded in one piece. */
    public static final int MAX_LINE_CHARS = 4096;
    /** Default bound on lines kept. */
    public static final int DEFAULT_MAX_LINES = 100;
    /** Default bound on characters kept (about 16 KiB of ASCII). */
    public static final int DEFAULT_MAX_CHARS = 16 * 1024;

    private final String prefix;
    private final PrintStream forward;
    private final int maxLines;
    private final int maxChars;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private int chars;
    private long droppedLines;

    private StderrTail(String prefix, PrintStream forward, int maxLines, int maxChars) {
        this.prefix = prefix;
        this.forward = forward;
        this.maxLines = maxLines;
        this.maxChars = maxChars;
    }

    /**
     * Starts the reader thread.
     *
     * @param stderr the child's stderr ({@code Process.getErrorStream()}); closed at end of file
     * @param name names the thread and prefixes forwarded lines ({@code "[name] line"})
     * @param forward where lines are echoed as they arrive, {@code null} for quiet
     * @param maxLines positive
     * @param maxChars positive
     */
    public static StderrTail start(InputStream stderr, String name, PrintStream forward, int maxLines, int maxChars) {
        if (maxLines <= 0 || maxChars <= 0) {
            throw new IllegalArgumentException("maxLines=" + maxLines + " and maxChars=" + maxChars
                    + " must be positive");
        }
        StderrTail tail = new StderrTail("[" + name + "] ", forward, maxLines, maxChars);
        Thread.ofPlatform().daemon().name("knitting-stderr-" + name)
                .start(new Runnable() { // a class, not a lambda: no class spun when a cold host starts a worker
                    @Override
                    public void run() {
                        tail.pump(new InputStreamReader(stderr, StandardCharsets.UTF_8));
                    }
                });
        return tail;
    }

    /** @return the kept lines, oldest first, each ending with a newline; empty if none */
    public synchronized String tail() {
        StringBuilder out = new StringBuilder(chars + lines.size() + 48);
        if (droppedLines > 0) {
            out.append("(").append(droppedLines).append(" earlier lines dropped)\n");
        }
        for (String line : lines) {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** @return the last line kept, empty if none */
    public synchronized String lastLine() {
        return lines.isEmpty() ? "" : lines.peekLast();
    }

    /** @return completes once the child's stderr reached end of file (or failed to read) */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    private void pump(Reader in) {
        StringBuilder line = new StringBuilder();
        char[] buffer = new char[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        emit(line);
                    } else {
                        line.append(c);
                        if (line.length() >= MAX_LINE_CHARS) {
                            emit(line);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // The pipe broke (the process was destroyed and its stream closed): keep what we have.
        } finally {
            if (!line.isEmpty()) {
                emit(line);
            }
            closed.complete(null);
        }
    }

    private void emit(StringBuilder buffer) {
        int end = buffer.length();
        if (end > 0 && buffer.charAt(end - 1) == '\r') {
            end--;
        }
        String line = buffer.substring(0, end);
        buffer.setLength(0);
        add(line);
        if (forward != null) {
            forward.println(prefix + line);
        }
    }

    private synchronized void add(String line) {
        lines.addLast(line);
        chars += line.length();
        while (lines.size() > maxLines || (chars > maxChars && lines.size() > 1)) {
            chars -= lines.removeFirst().length();
            droppedLines++;
        }
    }
}
