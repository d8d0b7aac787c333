package dev.knitting.demo;

import dev.knitting.Pool;
import dev.knitting.TaskCall;
import dev.knitting.unsafe.BufferReference;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Knitting with {@link BufferReference}s (thread workers only): each band's source rows are cut
 * out into native memory that is then moved to the worker, and the worker moves a new reference
 * holding its output rows back. The moves copy nothing; cutting the bands out and pasting the
 * results back are copies the demo makes, counted as such.
 */
record MovedTilesVariant(String name, int workers, Pool pool) implements Variant {
    @Override
    public Traffic run(Frame frame) {
        MemorySegment source = frame.sourceSegment();
        List<TaskCall<BufferReference>> pending = new ArrayList<>();
        long moved = 0;
        for (Band band : frame.bands()) {
            int first = EdgeKernel.firstSourceRow(band.y0());
            long length = band.sourceRows(frame.height()) * frame.rowBytes();
            BufferReference rows = BufferReference.allocate(length);
            rows.segment().copyFrom(source.asSlice(first * frame.rowBytes(), length));
            moved += length;
            pending.add(pool.call(TileTasks.EDGES_MOVED, new MovedTile(rows, first, frame.width(), frame.height(),
                    band.y0(), band.y1())));
        }
        MemorySegment target = frame.targetSegment();
        for (int i = 0; i < pending.size(); i++) {
            try (BufferReference out = pending.get(i).join()) {
                MemorySegment.copy(out.segment(), 0, target, frame.bands().get(i).y0() * frame.rowBytes(),
                        out.byteSize());
                moved += out.byteSize();
            }
        }
        return new Traffic(moved, moved);
    }
}
