package dev.knitting.internal.observe;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A worker ended because its pool stopped it. */
@Name("dev.knitting.WorkerExit")
@Label("Knitting Worker Exit")
@Description("A worker ended because its pool was stopping it")
final class WorkerExitEvent extends WorkerEndEvent {
}
