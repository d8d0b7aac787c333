/**
 * What a pool tells the outside: JDK Flight Recorder events and lifecycle lines (SPEC 5). The host
 * holds one {@link dev.knitting.internal.observe.PoolEvents} per pool and a {@link
 * dev.knitting.internal.observe.CallTrace} per recorded call; nothing here calls back into the host.
 *
 * <p>Events (category "Knitting"; defaults in brackets, changed with the usual JFR settings):
 * <ul>
 *   <li>{@code dev.knitting.Call} [off; threshold 20 ms]: one call, dispatch to end: task, lane,
 *       worker kind, bytes in and out, queue and worker time, sends, outcome, failure class;</li>
 *   <li>{@code dev.knitting.WorkerStart} [on]: a worker is ready (boot time, replacement or not);</li>
 *   <li>{@code dev.knitting.WorkerExit} [on]: a worker ended because its pool stopped it;</li>
 *   <li>{@code dev.knitting.WorkerCrash} [on]: a worker ended while its lane needed it (exit code,
 *       signal, stderr tail);</li>
 *   <li>{@code dev.knitting.WorkerReplacement} [on]: a lane replaces its worker (cause, calls resent);</li>
 *   <li>{@code dev.knitting.PoolStatistics} [on; every 1 s]: the counters of each running pool.</li>
 * </ul>
 * A default recording ({@code -XX:StartFlightRecording}) shows the worker events and statistics;
 * call events cost each call ~0.1-0.2 us while on, so they wait to be asked for.
 *
 * <p>{@code jdk.jfr} is a static requirement: {@link dev.knitting.internal.observe.EventSinks}
 * loads the JFR side only when the boot layer has it. Lines go to the {@code System.Logger} named
 * {@code dev.knitting}, at {@code DEBUG}, or {@code INFO} when the pool's debug option is on.
 */
package dev.knitting.internal.observe;
