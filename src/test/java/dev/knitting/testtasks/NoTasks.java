package dev.knitting.testtasks;

/** A public class that exports no task: starting a pool with it alone must fail clearly. */
public final class NoTasks {
    /** Not a task: not final. */
    public static String notATask = "x";

    private NoTasks() {
    }

    /**
     * Not a task: two parameters.
     *
     * @param a one
     * @param b two
     * @return their sum
     */
    public static int add(int a, int b) {
        return a + b;
    }
}
