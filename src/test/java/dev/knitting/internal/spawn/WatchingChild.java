package dev.knitting.internal.spawn;

import java.io.PrintStream;

/**
 * A stand-in worker that only watches its host: prints "watching <pid> parent=<bool>", and when the
 * host is gone prints "host gone: <reason>" and halts with code 0. Its stdout is a file, so it can
 * still be read after the host died.
 */
public final class WatchingChild {
    private WatchingChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        BootData boot = BootData.decode(System.getenv(WorkerEnv.BOOT));
        PrintStream out = System.out;
        HostWatch[] watch = new HostWatch[1];
        synchronized (watch) {
            watch[0] = HostWatch.start(boot.hostPid(), boot.hostStartMillis(), () -> {
                synchronized (watch) {
                    out.println("host gone: " + watch[0].goneReason().orElse("?"));
                    out.flush();
                }
                Runtime.getRuntime().halt(0);
            }, java.time.Duration.ofMillis(100));
            out.println("watching " + ProcessHandle.current().pid() + " parent=" + watch[0].hostIsParent());
            out.flush();
        }
        Thread.currentThread().join();
    }
}
