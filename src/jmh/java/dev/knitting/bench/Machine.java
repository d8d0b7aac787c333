package dev.knitting.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** What the figures were measured on: JDK, OS, CPUs, date, and process memory readings. */
public final class Machine {
    private Machine() {
    }

    /** @return "JDK 25.0.3+9 (Eclipse Adoptium), Linux 6.18 amd64, 2 CPUs (AMD EPYC), 2025-..Z" */
    public static String header() {
        return "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
                + " | " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch")
                + " | " + Runtime.getRuntime().availableProcessors() + " CPUs"
                + cpuModel().map(m -> " (" + m + ")").orElse("")
                + " | " + date();
    }

    /** @return now, UTC, to the second */
    public static String date() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** @return the first "model name" of /proc/cpuinfo, if any */
    public static Optional<String> cpuModel() {
        return firstLine(Path.of("/proc/cpuinfo"), "model name").map(l -> l.substring(l.indexOf(':') + 1).trim());
    }

    /** @return the 1, 5 and 15 minute load averages, or "?" */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** @return the Linux clock source, or "unknown" */
    public static String clockSource() {
        try {
            return Files.readString(Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * @return resident set size with its peak, and RSS minus the committed Java heap (native memory:
     *         lanes, metaspace, code, stacks), e.g. "rss=2100MB(peak 2400MB) rss-heap=180MB"
     */
    public static String rss() {
        Optional<String> rss = firstLine(Path.of("/proc/self/status"), "VmRSS:");
        Optional<String> hwm = firstLine(Path.of("/proc/self/status"), "VmHWM:");
        if (rss.isEmpty()) {
            return "rss=?";
        }
        long heap = Runtime.getRuntime().totalMemory() >> 20;
        long rssMb = kb(rss.get()) >> 10;
        return "rss=" + rssMb + "MB(peak " + (hwm.map(Machine::kb).orElse(0L) >> 10) + "MB) rss-heap="
                + (rssMb - heap) + "MB";
    }

    /**
     * @return the aggregate "cpu" line of /proc/stat as {total, idle + iowait, steal} in clock
     *         ticks, or {@code null} off Linux
     */
    public static long[] cpuTicks() {
        Optional<String> line = firstLine(Path.of("/proc/stat"), "cpu ");
        if (line.isEmpty()) {
            return null;
        }
        String[] f = line.get().trim().split("\\s+");
        try {
            long total = 0;
            // user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new long[] {total, idle, steal};
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The longest window {@link #awaitQuiet} samples foreign load over. */
    static final long QUIET_WINDOW_MILLIS = 250;

    /**
     * Waits, up to {@code maxWaitMillis}, for a window in which other processes use less than
     * {@code cores} of CPU (machine busy time minus this process's CPU time). Lets bursty foreign
     * load (builds, test suites) pass before a round instead of measuring it. The window lasts
     * {@value #QUIET_WINDOW_MILLIS} ms, or {@code maxWaitMillis} if shorter (the quick mode's 100
     * ms). /proc/stat counts in 10 ms ticks, so a 250 ms window holds only 25 ticks per CPU:
     * thresholds below ~0.3 cores are noise, and a 100 ms window is a coarser check still.
     *
     * @return "waited=..ms others=..cores" for the raw output
     */
    public static String awaitQuiet(double cores, long maxWaitMillis) {
        long window = Math.min(QUIET_WINDOW_MILLIS, maxWaitMillis);
        long start = System.nanoTime();
        double others = Double.NaN;
        do {
            long[] t0 = cpuTicks();
            long own0 = CpuClock.processCpuNanos();
            long w0 = System.nanoTime();
            try {
                Thread.sleep(window);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long[] t1 = cpuTicks();
            long own = CpuClock.processCpuNanos() - own0;
            long wall = System.nanoTime() - w0;
            if (t0 == null || t1 == null || t1[0] <= t0[0]) {
                return "waited=0ms others=?";
            }
            double total = t1[0] - t0[0];
            double busy = (total - (t1[1] - t0[1]) - (t1[2] - t0[2])) / total
                    * Runtime.getRuntime().availableProcessors();
            others = Math.max(0, busy - (double) own / wall);
        } while (others >= cores && System.nanoTime() - start < maxWaitMillis * 1_000_000L);
        return String.format(java.util.Locale.ROOT, "waited=%dms others=%.2fcores",
                (System.nanoTime() - start) / 1_000_000, others);
    }

    /** @return the JVM's own flags, for the raw header */
    public static String jvmArgs() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Object bean = factory.getMethod("getRuntimeMXBean").invoke(null);
            Object args = Class.forName("java.lang.management.RuntimeMXBean").getMethod("getInputArguments").invoke(bean);
            return String.valueOf(args);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "?";
        }
    }

    /** Cost of one System.nanoTime() call, median of a few samples, in ns. */
    public static double nanoTimeCost() {
        double[] samples = new double[7];
        for (int s = 0; s < samples.length; s++) {
            int n = 200_000;
            long sink = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += System.nanoTime();
            }
            long t1 = System.nanoTime();
            samples[s] = (double) (t1 - t0) / n + (sink == 42 ? 1 : 0);
        }
        return ScenarioResult.median(samples);
    }

    private static long kb(String line) {
        String[] parts = line.trim().split("\\s+");
        try {
            return Long.parseLong(parts[1]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static Optional<String> firstLine(Path file, String prefix) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
