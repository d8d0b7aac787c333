package dev.knitting.demo;

import dev.knitting.Pool;
import dev.knitting.TaskCall;
import dev.knitting.unsafe.BufferReference;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Knitting with {@link BufferReference}s: each band's source rows are cut out into native memory
 * that is then moved to the worker, and the worker moves a new reference holding its output rows
 * back. Between threads the moves copy nothing; cutting the bands out and pasting the results back
 * are copies the demo makes, counted as such. To process workers ({@code process}) the memory moves
 * as a sealed memfd: the band is copied into one at the send, and what a strict (the default)
 * process worker moves back is copied into the caller's memory (it might keep a mapping and write
 * on); both are counted as copies too.
 */
record MovedTilesVariant(String name, int workers, Pool pool, boolean process) implements Variant {

    @Override
    public Traffic run(Frame frame) {
        MemorySegment source = frame.sourceSegment();
        List<TaskCall<BufferReference>> pending = new ArrayList<>();
        long moved = 0;
        long copiedByLibrary = 0;
        for (Band band : frame.bands()) {
            int first = EdgeKernel.firstSourceRow(band.y0());
            long length = band.sourceRows(frame.height()) * frame.rowBytes();
            BufferReference rows = BufferReference.allocate(length);
            rows.segment().copyFrom(source.asSlice(first * frame.rowBytes(), length));
            moved += length;
            if (process) { // the reference is heap memory: copied into a sealed memfd at the send
                copiedByLibrary += length;
            }
            pending.add(pool.call(TileTasks.EDGES_MOVED, new MovedTile(rows, first, frame.width(), frame.height(),
                    band.y0(), band.y1())));
        }
        MemorySegment target = frame.targetSegment();
        for (int i = 0; i < pending.size(); i++) {
            try (BufferReference out = pending.get(i).join()) {
                MemorySegment.copy(out.segment(), 0, target, frame.bands().get(i).y0() * frame.rowBytes(),
                        out.byteSize());
                moved += out.byteSize();
                if (process) {
                    copiedByLibrary += out.byteSize(); // a strict worker's answer is copied on its way back
                }
            }
        }
        return new Traffic(moved + copiedByLibrary, moved);
    }
}
