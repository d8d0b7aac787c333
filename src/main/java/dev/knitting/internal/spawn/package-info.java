/**
 * Process plumbing of process workers, no lane logic: the host builds {@link
 * dev.knitting.internal.spawn.BootData}, a {@link dev.knitting.internal.spawn.WorkerCommand} (same
 * launcher, class path or module path, native access) and starts the worker with {@link
 * dev.knitting.internal.spawn.WorkerLauncher}, which hands the lane over as fd 0 (or by name) and
 * keeps a {@link dev.knitting.internal.spawn.StderrTail}; {@link
 * dev.knitting.internal.spawn.WorkerProcess#onExit()} says how it ended ({@link
 * dev.knitting.internal.spawn.ExitStatus}). The worker decodes its boot data and runs a {@link
 * dev.knitting.internal.spawn.HostWatch} that halts it when the host is gone.
 */
package dev.knitting.internal.spawn;
