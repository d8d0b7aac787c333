package dev.knitting.internal.os;

/**
 * A child JVM for {@link NativeProcessTest}: blocks one thread in a native call (poll on its own
 * pidfd), registers a shutdown hook that must not run, then calls {@link NativeProcess#exitNow}(42).
 */
public final class ExitNowChild {
    private ExitNowChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran")));
        Thread blocked = Thread.ofPlatform().daemon().start(() -> {
            try (Pidfd own = Pidfd.open(ProcessHandle.current().pid())) {
                System.out.println("blocking");
                System.out.flush();
                own.awaitExit(Integer.MAX_VALUE);
            }
        });
        while (blocked.getState() != Thread.State.RUNNABLE) {
            Thread.sleep(1); // polls a condition; the child's output is what the test checks
        }
        System.out.println("exiting");
        System.out.flush();
        NativeProcess.exitNow(42);
        System.out.println("still running");
    }
}
