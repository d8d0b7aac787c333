package dev.knitting.internal.observe;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A worker ended while its lane still needed it. */
@Name("dev.knitting.WorkerCrash")
@Label("Knitting Worker Crash")
@Description("A worker ended while its lane still needed it: it crashed, was killed, or the pool killed it"
        + " (hard timeout, corrupt lane); a Worker Replacement event follows with the lane's reason")
final class WorkerCrashEvent extends WorkerEndEvent {
    @Label("Stderr Tail")
    @Description("The last lines the worker process wrote to standard error")
    String stderrTail;
}
