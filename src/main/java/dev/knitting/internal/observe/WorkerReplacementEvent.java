package dev.knitting.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A lane lost its worker and starts a replacement. */
@Name("dev.knitting.WorkerReplacement")
@Label("Knitting Worker Replacement")
@Category("Knitting")
@Description("A lane lost its worker and starts a replacement; the calls the worker had not taken go to it")
@StackTrace(false)
final class WorkerReplacementEvent extends Event {
    @Label("Pool")
    String pool;

    @Label("Lane")
    int lane;

    @Label("Worker Kind")
    String workerKind;

    @Label("Cause")
    @Description("Why the lane lost its worker: its crash, a hard timeout, a corrupt lane")
    String cause;

    @Label("Cause Type")
    @Description("Class of the exception the worker's taken calls failed with")
    String causeType;

    @Label("Calls Resent")
    @Description("Calls the lost worker had not taken, sent again to the replacement")
    int callsResent;
}
