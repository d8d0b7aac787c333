package dev.knitting.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.StackTrace;

/** Fields of a worker's end, shared by {@link WorkerExitEvent} and {@link WorkerCrashEvent}. */
@Category("Knitting")
@StackTrace(false)
abstract class WorkerEndEvent extends Event {
    @Label("Pool")
    String pool;

    @Label("Lane")
    int lane;

    @Label("Worker Kind")
    String workerKind;

    @Label("Process Id")
    @Description("The process the worker ran in (the host's own for a thread worker)")
    long pid;

    @Label("Exit Code")
    @Description("The worker process's exit code; -1 if it has none (killed by a signal, or a thread)")
    int exitCode = -1;

    @Label("Signal")
    @Description("The signal that ended the worker process; 0 if none")
    int signal;

    @Label("Cause")
    @Description("How the worker ended, as its lost calls report it")
    String cause;
}
