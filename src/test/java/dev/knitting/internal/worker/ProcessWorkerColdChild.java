package dev.knitting.internal.worker;

import dev.knitting.Knitting;
import dev.knitting.Permission;
import dev.knitting.Pool;
import dev.knitting.WorkerRuntime;
import dev.knitting.testtasks.EchoTasks;
import java.nio.file.Path;

/**
 * A user's first PROCESS program, run from jars so that its worker has Knitting's automatic AOT
 * cache: starts a confined pool of one worker whose JVM logs the classes it loads into
 * {@code args[0]} (a folder the worker may write), makes one call, closes it, prints the answer.
 */
public final class ProcessWorkerColdChild {
    private ProcessWorkerColdChild() {
    }

    /** @param args the folder for the worker JVMs' class-loading logs */
    public static void main(String[] args) {
        Path logs = Path.of(args[0]);
        try (Pool pool = Knitting.pool().runtime(WorkerRuntime.PROCESS).threads(1)
                .permission(Permission.strict().allowWrite(logs))
                .jvmArgs("-Xlog:class+load=info:file=" + logs.resolve("jvm-%p.log"))
                .start(EchoTasks.class)) {
            System.out.println("answer: " + pool.call(EchoTasks.SQUARE, 12).join());
        }
    }
}
