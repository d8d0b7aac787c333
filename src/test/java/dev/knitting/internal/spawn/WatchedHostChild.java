package dev.knitting.internal.spawn;

import dev.knitting.SharedMemoryMode;
import java.io.File;
import java.lang.ProcessBuilder.Redirect;

/**
 * A host for {@link WatchingChild}: launches it as a worker (NAMED mode, no lane is mapped) with its
 * stdout appended to the file {@code args[0]}, prints "grandchild <pid>" and waits to be killed.
 */
public final class WatchedHostChild {
    private WatchedHostChild() {
    }

    public static void main(String[] args) throws Exception {
        BootData boot = SpawnFixtures.boot(SharedMemoryMode.NAMED, "knitting-never-mapped", 4096);
        WorkerLauncher launcher = new WorkerLauncher(new WorkerCommand(WatchingChild.class.getName()))
                .withStdout(Redirect.appendTo(new File(args[0])));
        WorkerProcess worker = launcher.start("watching", boot, null);
        System.out.println("grandchild " + worker.pid());
        System.out.flush();
        Thread.currentThread().join();
    }
}
