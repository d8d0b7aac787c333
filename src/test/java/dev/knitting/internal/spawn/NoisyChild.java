package dev.knitting.internal.spawn;

/** Writes {@link #LINES} numbered lines to stderr, then exits with code 3. */
public final class NoisyChild {
    static final int LINES = 500;

    private NoisyChild() {
    }

    public static void main(String[] args) {
        for (int i = 0; i < LINES; i++) {
            System.err.println("noise " + i);
        }
        System.err.flush();
        System.exit(3);
    }
}
