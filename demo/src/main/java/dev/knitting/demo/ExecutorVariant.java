package dev.knitting.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What a Java programmer would write without Knitting: a fixed thread pool, one task per band,
 * the threads reading and writing the same buffers by reference.
 */
final class ExecutorVariant implements Variant {
    private final int threads;
    private final ExecutorService executor;

    ExecutorVariant(int threads) {
        this.threads = threads;
        this.executor = Executors.newFixedThreadPool(threads);
    }

    @Override
    public String name() {
        return "ExecutorService (fixed pool)";
    }

    @Override
    public int workers() {
        return threads;
    }

    @Override
    public Traffic run(Frame frame) throws Exception {
        List<Future<Long>> pending = new ArrayList<>();
        for (Band band : frame.bands()) {
            pending.add(executor.submit(() -> EdgeKernel.run(frame.sourceSegment(), 0, frame.targetSegment(), 0,
                    frame.width(), frame.height(), band.y0(), band.y1())));
        }
        long shared = 0;
        for (int i = 0; i < pending.size(); i++) {
            shared += pending.get(i).get() + frame.bands().get(i).rows() * frame.rowBytes();
        }
        return new Traffic(0, shared);
    }

    @Override
    public void close() {
        executor.close();
    }
}
