package dev.knitting.bench;

import java.util.Locale;

/**
 * What one contender did in one round.
 *
 * @param ops completed operations (calls, round trips, copies there and back)
 * @param wallNanos wall time of the round
 * @param cpuNanos process CPU time spent during the round (all threads), -1 if unknown
 * @param bytesPerOp payload bytes per operation (0 for tiny calls)
 * @param histogram per-operation latency, or {@code null}
 * @param gcCount collections during the round, -1 if unknown
 * @param gcMillis collection time during the round, -1 if unknown
 * @param machineIdle fraction of all CPUs' time idle during the round (/proc/stat), NaN if unknown
 * @param machineSteal fraction of all CPUs' time stolen by the hypervisor, NaN if unknown
 * @param note free text for the raw output (may be empty)
 */
public record Measurement(long ops, long wallNanos, long cpuNanos, long bytesPerOp, LatencyHistogram histogram,
                          long gcCount, long gcMillis, double machineIdle, double machineSteal, String note) {

    /** @return operations per second */
    public double opsPerSecond() {
        return wallNanos <= 0 ? Double.NaN : ops * 1e9 / wallNanos;
    }

    /** @return payload bytes per second */
    public double bytesPerSecond() {
        return opsPerSecond() * bytesPerOp;
    }

    /** @return process CPU time over wall time: 1.0 means one core busy for the whole round */
    public double cores() {
        return cpuNanos < 0 || wallNanos <= 0 ? Double.NaN : (double) cpuNanos / wallNanos;
    }

    /**
     * @return CPU used by other processes during the round, in cores: the machine's busy time
     *         (not idle, not stolen) minus this process's CPU time; NaN if unknown
     */
    public double foreignCores() {
        double busy = (1 - machineIdle - machineSteal) * Runtime.getRuntime().availableProcessors();
        return Math.max(0, busy - cores());
    }

    /** @return one line for the raw output */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "ops=%d wall=%s rate=%s", ops, Units.nanos(wallNanos),
                Units.callsPerSecond(opsPerSecond())));
        if (bytesPerOp > 0) {
            s.append(" payload=").append(Units.bytesPerSecond(bytesPerSecond()));
        }
        s.append(String.format(Locale.ROOT, " cpu=%.2fcores others=%.2fcores idle=%.0f%% steal=%.0f%% gc=%d/%dms",
                cores(), foreignCores(), 100 * machineIdle, 100 * machineSteal, gcCount, gcMillis));
        if (histogram != null) {
            s.append(" | ").append(histogram.summary());
        }
        if (!note.isEmpty()) {
            s.append(" | ").append(note);
        }
        return s.toString();
    }

    /** Starts timing a round: wall clock, CPU clock and GC counters. */
    public static Stopwatch start() {
        return new Stopwatch();
    }

    /** Wall, CPU and GC readings at the start of a round. */
    public static final class Stopwatch {
        private final long wall0;
        private final long cpu0;
        private final long[] gc0;
        private final long[] ticks0;

        private Stopwatch() {
            gc0 = CpuClock.gcCountAndMillis();
            ticks0 = Machine.cpuTicks();
            cpu0 = CpuClock.processCpuNanos();
            wall0 = System.nanoTime();
        }

        /** @return the wall-clock start, in {@link System#nanoTime()} terms */
        public long startNanos() {
            return wall0;
        }

        /** Ends the round. */
        public Measurement stop(long ops, long bytesPerOp, LatencyHistogram histogram, String note) {
            long wall = System.nanoTime() - wall0;
            long cpu1 = CpuClock.processCpuNanos();
            long[] gc1 = CpuClock.gcCountAndMillis();
            long[] ticks1 = Machine.cpuTicks();
            double idle = Double.NaN;
            double steal = Double.NaN;
            if (ticks0 != null && ticks1 != null && ticks1[0] > ticks0[0]) {
                double total = ticks1[0] - ticks0[0];
                idle = (ticks1[1] - ticks0[1]) / total;
                steal = (ticks1[2] - ticks0[2]) / total;
            }
            long cpu = cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
            long gcCount = gc0[0] < 0 || gc1[0] < 0 ? -1 : gc1[0] - gc0[0];
            long gcMillis = gc0[1] < 0 || gc1[1] < 0 ? -1 : gc1[1] - gc0[1];
            return new Measurement(ops, wall, cpu, bytesPerOp, histogram, gcCount, gcMillis, idle, steal, note);
        }
    }
}
