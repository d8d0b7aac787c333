package dev.knitting.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Baseline: a child JVM echoing over a JDK UNIX-domain {@code SocketChannel} (blocking, direct
 * buffers, 4-byte native-order int request and response). The parent binds a server socket in a
 * fresh temporary directory, the child connects, and the name is removed once accepted.
 */
public final class SocketEchoSide extends ChildEchoSide {
    private Path dir;
    private Path socketPath;
    private ServerSocketChannel server;
    private SocketChannel channel;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());

    @Override
    String[] childArgs() throws IOException {
        dir = Files.createTempDirectory("knitbench");
        socketPath = dir.resolve("echo.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        server.configureBlocking(false);
        return new String[] {"socket", socketPath.toString()};
    }

    @Override
    void configure(ProcessBuilder pb) {
        pb.redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }

    @Override
    void connect(Process started) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT_MILLIS * 1_000_000L;
        try {
            while ((channel = server.accept()) == null) {
                if (!started.isAlive()) {
                    throw new IOException("echo child exited before connecting");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("echo child did not connect within " + START_TIMEOUT_MILLIS + " ms");
                }
                Thread.sleep(2);
            }
            channel.configureBlocking(true);
        } finally {
            removeName();
        }
    }

    @Override
    int roundTrip(int v) throws IOException {
        out.clear();
        out.putInt(v).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        in.clear().limit(Integer.BYTES);
        readFully();
        return in.getInt(0);
    }

    @Override
    void sendBatch(int n) throws IOException {
        out.clear();
        for (int i = 0; i < n; i++) {
            out.putInt(request(i));
        }
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    @Override
    void receiveBatch(int n) throws IOException {
        in.clear().limit(n * Integer.BYTES);
        readFully();
        for (int i = 0; i < n; i++) {
            int r = in.getInt(i * Integer.BYTES);
            if (r != request(i) + 1) {
                throw new IllegalStateException("echo child answered " + r + " to " + request(i));
            }
        }
    }

    private void readFully() throws IOException {
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                throw new EOFException("echo child closed the socket");
            }
        }
    }

    @Override
    void closeTransport() throws IOException {
        try {
            if (channel != null) {
                channel.close();
            }
        } finally {
            channel = null;
            removeName();
        }
    }

    private void removeName() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        if (socketPath != null) {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(dir);
            socketPath = null;
        }
    }
}
