package dev.knitting.demo;

import dev.knitting.Pool;
import dev.knitting.TaskCall;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Knitting the usual way, for contrast: each band's source rows (halo included) are cut out into
 * a {@code byte[]}, sent by value, and the output rows come back as a {@code byte[]} that is
 * copied into the output. Counted: the cut and the paste by the demo, and each payload once.
 */
record CopiedTilesVariant(String name, int workers, Pool pool) implements Variant {
    /** @return the largest payload one call of {@code frame} sends, for {@code maxPayloadBytes} */
    static long largestPayload(Frame frame) {
        return frame.bands().stream().mapToLong(b -> b.sourceRows(frame.height()) * frame.rowBytes()).max()
                .orElse(0);
    }

    @Override
    public Traffic run(Frame frame) {
        MemorySegment source = frame.sourceSegment();
        List<TaskCall<byte[]>> pending = new ArrayList<>();
        long copied = 0;
        for (Band band : frame.bands()) {
            int first = EdgeKernel.firstSourceRow(band.y0());
            byte[] rows = new byte[Math.toIntExact(band.sourceRows(frame.height()) * frame.rowBytes())];
            MemorySegment.copy(source, ValueLayout.JAVA_BYTE, first * frame.rowBytes(), rows, 0, rows.length);
            copied += 2L * rows.length;
            pending.add(pool.call(TileTasks.EDGES_COPIED, new CopiedTile(rows, first, frame.width(), frame.height(),
                    band.y0(), band.y1())));
        }
        MemorySegment target = frame.targetSegment();
        for (int i = 0; i < pending.size(); i++) {
            byte[] out = pending.get(i).join();
            MemorySegment.copy(out, 0, target, ValueLayout.JAVA_BYTE, frame.bands().get(i).y0() * frame.rowBytes(),
                    out.length);
            copied += 2L * out.length;
        }
        return new Traffic(copied, 0);
    }
}
