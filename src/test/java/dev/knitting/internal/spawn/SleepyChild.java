package dev.knitting.internal.spawn;

/** Prints "ready <pid>" and waits until it is killed or terminated. */
public final class SleepyChild {
    private SleepyChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.currentThread().join();
    }
}
