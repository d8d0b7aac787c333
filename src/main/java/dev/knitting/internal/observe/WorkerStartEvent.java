package dev.knitting.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A worker became ready on its lane: at pool start, or as a replacement. */
@Name("dev.knitting.WorkerStart")
@Label("Knitting Worker Start")
@Category("Knitting")
@Description("A worker became ready on its lane, at pool start or as the replacement of a lost one")
@StackTrace(false)
final class WorkerStartEvent extends Event {
    @Label("Pool")
    String pool;

    @Label("Lane")
    int lane;

    @Label("Worker Kind")
    String workerKind;

    @Label("Worker")
    @Description("The worker's name: its thread's name, or the name its process's output is tagged with")
    String worker;

    @Label("Process Id")
    @Description("The process the worker runs in (the host's own for a thread worker)")
    long pid;

    @Label("Boot Time")
    @Description("From the start of the worker until it was ready")
    @Timespan
    long bootTime;

    @Label("Replacement")
    @Description("Whether it replaces a worker its lane lost")
    boolean replacement;
}
