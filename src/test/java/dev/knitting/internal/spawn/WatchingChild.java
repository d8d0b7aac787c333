package dev.knitting.internal.spawn;

import java.io.PrintStream;

/**
 * A stand-in worker that only watches its host: prints "watching <pid> parent=<bool> mode=<mode>"
 * once the watch has chosen how to watch, and when the host is gone prints "host gone: <reason>" and
 * halts with code 0. Its stdout is a file, so it can still be read after the host died.
 */
public final class WatchingChild {
    private WatchingChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        BootData boot = BootData.decode(System.getenv(WorkerEnv.BOOT));
        PrintStream out = System.out;
        HostWatch[] watch = new HostWatch[1];
        synchronized (watch) {
            watch[0] = HostWatch.start(boot.hostPid(), boot.hostStartMillis(), reason -> {
                synchronized (watch) {
                    out.println("host gone: " + reason);
                    out.flush();
                }
                Runtime.getRuntime().halt(0);
            }, java.time.Duration.ofMillis(100));
            while (watch[0].mode() == HostWatch.Mode.STARTING) {
                Thread.sleep(1); // polls a condition: the test reads the chosen mode from this line
            }
            out.println("watching " + ProcessHandle.current().pid() + " parent=" + watch[0].hostIsParent()
                    + " mode=" + watch[0].mode());
            out.flush();
        }
        Thread.currentThread().join();
    }
}
