package dev.knitting.demo;

/** The baseline: the calling thread computes the bands one after the other, in place. */
final class SingleThreadVariant implements Variant {
    @Override
    public String name() {
        return "single thread";
    }

    @Override
    public int workers() {
        return 1;
    }

    @Override
    public Traffic run(Frame frame) {
        for (Band band : frame.bands()) {
            EdgeKernel.run(frame.sourceSegment(), 0, frame.targetSegment(), 0, frame.width(), frame.height(),
                    band.y0(), band.y1());
        }
        return Traffic.NONE;
    }
}
