package dev.knitting.bench;

import dev.knitting.internal.os.Waiter;
import dev.knitting.shm.ProcessSharedBuffer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Floor of a process round trip that has to wake its peer: a child JVM answering through one
 * shared page ({@link FutexEchoLayout}) with a futex wake each way and nothing else (no ring, no
 * codec, no pool). Informational: a parked knitting call pays the same two wake-ups plus its own
 * work, so no parked process lane can beat this line.
 */
public final class FutexEchoSide extends ChildEchoSide {
    private static final long ANSWER_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);

    private final Waiter waiter = Waiter.platform();
    private final String name = "knitbench-futex-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private ProcessSharedBuffer shared;
    private boolean named;
    private MemorySegment page;
    private int sequence;

    @Override
    List<String> jvmArgs() {
        return List.of("--enable-native-access=ALL-UNNAMED");
    }

    @Override
    String[] childArgs() {
        shared = ProcessSharedBuffer.create(name, FutexEchoLayout.BYTES);
        named = true;
        page = shared.segment();
        return new String[] {"futex", name};
    }

    @Override
    void configure(ProcessBuilder pb) {
        // the page is the transport: standard streams stay as they are
    }

    @Override
    void connect(Process started) {
        // the child opens the page by name; the first round trip (in open) waits for it
    }

    @Override
    int roundTrip(int v) throws IOException {
        page.set(ValueLayout.JAVA_INT, FutexEchoLayout.DATA, v);
        exchange(1);
        return page.get(ValueLayout.JAVA_INT, FutexEchoLayout.DATA);
    }

    @Override
    void sendBatch(int n) {
        if (n > FutexEchoLayout.MAX_BATCH) {
            throw new IllegalArgumentException("window " + n + " exceeds the futex page's " + FutexEchoLayout.MAX_BATCH);
        }
        for (int i = 0; i < n; i++) {
            page.set(ValueLayout.JAVA_INT, FutexEchoLayout.DATA + (long) i * Integer.BYTES, request(i));
        }
        send(n);
    }

    @Override
    void receiveBatch(int n) throws IOException {
        awaitAnswer();
        for (int i = 0; i < n; i++) {
            int r = page.get(ValueLayout.JAVA_INT, FutexEchoLayout.DATA + (long) i * Integer.BYTES);
            if (r != request(i) + 1) {
                throw new IllegalStateException("futex echo child answered " + r + " to " + request(i));
            }
        }
    }

    private void exchange(int n) throws IOException {
        send(n);
        awaitAnswer();
    }

    private void send(int n) {
        page.set(ValueLayout.JAVA_INT, FutexEchoLayout.REQUEST_COUNT, n);
        sequence = sequence == Integer.MAX_VALUE ? 1 : sequence + 1; // never STOP
        FutexEchoLayout.publish(page, FutexEchoLayout.REQUEST_SEQUENCE, sequence, waiter);
    }

    private void awaitAnswer() throws IOException {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT_NANOS;
        int seen;
        while ((seen = FutexEchoLayout.sequence(page, FutexEchoLayout.RESPONSE_SEQUENCE)) != sequence) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("futex echo child did not answer request " + sequence + " within "
                        + START_TIMEOUT_MILLIS + " ms");
            }
            FutexEchoLayout.awaitChange(page, FutexEchoLayout.RESPONSE_SEQUENCE, seen, waiter);
        }
        unlinkName(); // the child has the page mapped: the name is no longer needed
    }

    private void unlinkName() {
        if (named) {
            named = false;
            ProcessSharedBuffer.unlink(name);
        }
    }

    @Override
    void closeTransport() {
        if (shared == null) {
            return;
        }
        try {
            FutexEchoLayout.publish(page, FutexEchoLayout.REQUEST_SEQUENCE, FutexEchoLayout.STOP, waiter);
        } finally {
            shared.close();
            shared = null;
            unlinkName();
        }
    }
}
