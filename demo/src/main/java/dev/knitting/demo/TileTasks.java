package dev.knitting.demo;

import dev.knitting.Task;
import dev.knitting.unsafe.BufferReference;
import java.lang.foreign.MemorySegment;

/** The tasks Knitting's workers run, one call per tile. */
public final class TileTasks {
    /** Zero-copy: reads the picture and writes the output in place, in the shared buffers. */
    public static final Task<Tile, TileDone> EDGES = Task.of(TileTasks::edges);

    /** For contrast: source rows in, output rows out, both as {@code byte[]} payloads. */
    public static final Task<CopiedTile, byte[]> EDGES_COPIED = Task.of(TileTasks::edgesCopied);

    /**
     * The band's rows arrive moved in a {@link BufferReference}, the output rows leave moved in a
     * new one (thread and process workers).
     */
    public static final Task<MovedTile, BufferReference> EDGES_MOVED = Task.of(TileTasks::edgesMoved);

    /** Where the worker that takes this call runs; the argument is ignored. */
    public static final Task<Integer, WorkerInfo> WHERE = Task.of(ignored -> WorkerInfo.current());

    private TileTasks() {
    }

    private static TileDone edges(Tile tile) {
        long read = EdgeKernel.run(tile.source().segment(), 0, tile.target().segment(), 0, tile.width(),
                tile.height(), tile.y0(), tile.y1());
        long written = (long) (tile.y1() - tile.y0()) * tile.width() * EdgeKernel.CHANNELS;
        return new TileDone(read, written);
    }

    private static BufferReference edgesMoved(MovedTile tile) {
        try (BufferReference rows = tile.rows()) {
            BufferReference out = BufferReference.allocate((long) (tile.y1() - tile.y0()) * tile.width()
                    * EdgeKernel.CHANNELS);
            try {
                EdgeKernel.run(rows.segment(), tile.firstRow(), out.segment(), tile.y0(), tile.width(),
                        tile.height(), tile.y0(), tile.y1());
                return out;
            } catch (RuntimeException | Error e) {
                out.release();
                throw e;
            }
        }
    }

    private static byte[] edgesCopied(CopiedTile tile) {
        byte[] out = new byte[(tile.y1() - tile.y0()) * tile.width() * EdgeKernel.CHANNELS];
        EdgeKernel.run(MemorySegment.ofArray(tile.rows()), tile.firstRow(), MemorySegment.ofArray(out), tile.y0(),
                tile.width(), tile.height(), tile.y0(), tile.y1());
        return out;
    }
}
