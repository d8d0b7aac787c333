package dev.knitting.internal.os;

import java.util.concurrent.CountDownLatch;

/**
 * A child JVM for {@link NativeProcessTest}: blocks one thread in a native call (poll on its own
 * pidfd), registers a shutdown hook that must not run, then calls {@link NativeProcess#exitNow}(42).
 */
public final class ExitNowChild {
    private ExitNowChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran")));
        CountDownLatch blocking = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            try (Pidfd own = Pidfd.open(ProcessHandle.current().pid())) {
                System.out.println("blocking");
                System.out.flush();
                blocking.countDown();
                own.awaitExit(Integer.MAX_VALUE);
            }
        });
        blocking.await();
        System.out.println("exiting");
        System.out.flush();
        NativeProcess.exitNow(42);
        System.out.println("still running");
    }
}
