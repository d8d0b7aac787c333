package dev.knitting.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Baseline: a child JVM echoing over its stdin/stdout pipes ({@code Process} streams; one
 * {@code write} + {@code flush} per request, one {@code read} per response), 4-byte native-order
 * ints.
 */
public final class PipeEchoSide extends ChildEchoSide {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private OutputStream toChild;
    private InputStream fromChild;
    private final byte[] out = new byte[64 * 1024];
    private final byte[] in = new byte[64 * 1024];

    @Override
    String[] childArgs() {
        return new String[] {"pipe"};
    }

    @Override
    void configure(ProcessBuilder pb) {
        pb.redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.PIPE);
    }

    @Override
    void connect(Process started) {
        toChild = started.getOutputStream();
        fromChild = started.getInputStream();
    }

    @Override
    int roundTrip(int v) throws IOException {
        INT.set(out, 0, v);
        toChild.write(out, 0, Integer.BYTES);
        toChild.flush();
        readFully(Integer.BYTES);
        return (int) INT.get(in, 0);
    }

    @Override
    void sendBatch(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            INT.set(out, i * Integer.BYTES, request(i));
        }
        toChild.write(out, 0, n * Integer.BYTES);
        toChild.flush();
    }

    @Override
    void receiveBatch(int n) throws IOException {
        readFully(n * Integer.BYTES);
        for (int i = 0; i < n; i++) {
            int r = (int) INT.get(in, i * Integer.BYTES);
            if (r != request(i) + 1) {
                throw new IllegalStateException("echo child answered " + r + " to " + request(i));
            }
        }
    }

    private void readFully(int bytes) throws IOException {
        if (fromChild.readNBytes(in, 0, bytes) != bytes) {
            throw new EOFException("echo child closed its stdout");
        }
    }

    @Override
    void closeTransport() throws IOException {
        if (toChild != null) {
            toChild.close();
            toChild = null;
        }
    }
}
