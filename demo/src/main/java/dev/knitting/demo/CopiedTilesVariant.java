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
    /** Room for the payload's header beside its rows. */
    private static final long PAYLOAD_HEADROOM = 1 << 20;
    /** The pool's limit on {@code maxPayloadBytes}. */
    private static final long PAYLOAD_LIMIT = Integer.MAX_VALUE - 64;

    /** @return {@code maxPayloadBytes} for this variant: the largest band's rows and some room */
    static long payloadLimit(Frame frame) {
        return Math.max(8L << 20, largestPayload(frame.bands(), frame.width(), frame.height()) + PAYLOAD_HEADROOM);
    }

    /**
     * @throws IllegalArgumentException naming {@code --tiles}, when a band's rows do not fit one
     *     payload (only pictures near 2 GiB cut into very few bands)
     */
    static void checkFits(List<Band> bands, int width, int height) {
        long largest = largestPayload(bands, width, height);
        if (largest + PAYLOAD_HEADROOM > PAYLOAD_LIMIT) {
            throw new IllegalArgumentException("--tiles=" + bands.size() + " makes bands of up to " + largest
                    + " bytes, more than one byte[] payload may hold (" + (PAYLOAD_LIMIT - PAYLOAD_HEADROOM)
                    + "): cut the picture into more tiles");
        }
    }

    private static long largestPayload(List<Band> bands, int width, int height) {
        long rowBytes = (long) width * EdgeKernel.CHANNELS;
        return bands.stream().mapToLong(b -> b.sourceRows(height) * rowBytes).max().orElse(0);
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
