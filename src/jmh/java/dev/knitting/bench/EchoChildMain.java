package dev.knitting.bench;

import dev.knitting.internal.os.Waiter;
import dev.knitting.shm.ProcessSharedBuffer;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * The child JVM of the process-lane baselines: reads 4-byte ints (native order) and answers each
 * with {@code v + 1} ({@link BenchTasks#inc}), over a JDK UNIX-domain {@code SocketChannel}
 * ({@code socket <path>}: it connects to the parent's server socket) or over its stdin/stdout
 * ({@code pipe}). Blocking channels, direct buffers; it answers every complete request it has read
 * with one write, like any sensible server, so a batch of requests costs few system calls. It exits
 * on end of input and when its parent is gone. With {@code futex <name>} it answers through the
 * named shared page of {@link FutexEchoLayout} instead: the bare futex wake-up floor.
 */
public final class EchoChildMain {
    private static final int BUFFER_BYTES = 64 * 1024;

    private EchoChildMain() {
    }

    /** @param args {@code socket <path>}, {@code pipe} or {@code futex <shared memory name>} */
    public static void main(String[] args) throws IOException {
        watchParent();
        if (args.length == 2 && args[0].equals("socket")) {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[1])))) {
                serve(ch, ch);
            }
        } else if (args.length == 2 && args[0].equals("futex")) {
            try (ProcessSharedBuffer page = ProcessSharedBuffer.open(args[1])) {
                serveFutex(page.segment(), Waiter.platform());
            }
        } else if (args.length == 1 && args[0].equals("pipe")) {
            try (var in = new FileInputStream(FileDescriptor.in).getChannel();
                 var out = new FileOutputStream(FileDescriptor.out).getChannel()) {
                serve(in, out);
            }
        } else {
            System.err.println("usage: EchoChildMain socket <path> | pipe | futex <name>");
            System.exit(2);
        }
        System.exit(0);
    }

    private static void serve(ReadableByteChannel in, WritableByteChannel out) throws IOException {
        ByteBuffer req = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
        ByteBuffer resp = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
        while (in.read(req) >= 0) {
            req.flip();
            while (req.remaining() >= Integer.BYTES) {
                resp.putInt(BenchTasks.inc(req.getInt()));
            }
            req.compact();
            resp.flip();
            while (resp.hasRemaining()) {
                out.write(resp);
            }
            resp.clear();
        }
    }

    private static void serveFutex(MemorySegment page, Waiter waiter) {
        int answered = FutexEchoLayout.sequence(page, FutexEchoLayout.RESPONSE_SEQUENCE);
        while (true) {
            int request = FutexEchoLayout.sequence(page, FutexEchoLayout.REQUEST_SEQUENCE);
            if (request == FutexEchoLayout.STOP) {
                return;
            }
            if (request == answered) {
                FutexEchoLayout.awaitChange(page, FutexEchoLayout.REQUEST_SEQUENCE, answered, waiter);
                continue;
            }
            int count = page.get(ValueLayout.JAVA_INT, FutexEchoLayout.REQUEST_COUNT);
            if (count < 0 || count > FutexEchoLayout.MAX_BATCH) {
                throw new IllegalStateException("futex echo request count " + count);
            }
            for (int i = 0; i < count; i++) {
                long at = FutexEchoLayout.DATA + (long) i * Integer.BYTES;
                page.set(ValueLayout.JAVA_INT, at, BenchTasks.inc(page.get(ValueLayout.JAVA_INT, at)));
            }
            answered = request;
            FutexEchoLayout.publish(page, FutexEchoLayout.RESPONSE_SEQUENCE, answered, waiter);
        }
    }

    private static void watchParent() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        if (parent == null) {
            return;
        }
        parent.onExit().thenRun(() -> Runtime.getRuntime().halt(75));
    }
}
