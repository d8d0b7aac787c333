package dev.knitting.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** The counters of one running pool, emitted every period (see {@code Pool.stats()}). */
@Name("dev.knitting.PoolStatistics")
@Label("Knitting Pool Statistics")
@Category("Knitting")
@Description("Counters of a running pool, once per period")
@Period("1 s")
@StackTrace(false)
final class PoolStatisticsEvent extends Event {
    @Label("Pool")
    String pool;

    @Label("Worker Kind")
    String workerKind;

    @Label("Workers")
    @Description("Worker lanes of the pool")
    int workers;

    @Label("Submitted")
    @Description("Calls accepted so far, including ones that failed")
    long submitted;

    @Label("Completed")
    @Description("Calls that ended with a value")
    long completed;

    @Label("Failed")
    @Description("Calls that ended exceptionally")
    long failed;

    @Label("In Flight")
    @Description("Calls dispatched and not yet answered, all lanes together")
    long inFlight;

    @Label("Busiest Lane In Flight")
    @Description("Calls in flight on the lane that has the most")
    int busiestLaneInFlight;

    @Label("Worker Restarts")
    @Description("Workers replaced after a crash, a hard timeout or a corrupt lane")
    long workerRestarts;
}
