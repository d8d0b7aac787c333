package dev.knitting.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.List;

/**
 * Process CPU time (all threads, user + system) and GC counters. CPU time comes from
 * {@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime} when the JDK has it, else from
 * {@code ProcessHandle.current().info().totalCpuDuration()}. On Linux both tick at the scheduler's
 * clock (usually 10 ms), so only intervals of a few hundred milliseconds or more mean much.
 *
 * <p>Why reflection: the benchmark sources are compiled as a patch of module {@code dev.knitting},
 * which does not read {@code java.management}; at run time they sit on the class path and may.
 */
public final class CpuClock {
    private static final MethodHandle CPU = findCpu();
    private static final List<Object> GCS = findCollectors();
    private static final MethodHandle GC_COUNT = gcGetter("getCollectionCount");
    private static final MethodHandle GC_TIME = gcGetter("getCollectionTime");

    private CpuClock() {
    }

    /** @return the CPU time source used, for the raw output header */
    public static String source() {
        return CPU != null ? "OperatingSystemMXBean.getProcessCpuTime" : "ProcessHandle.info().totalCpuDuration";
    }

    /** @return process CPU time in ns, or -1 if unavailable */
    public static long processCpuNanos() {
        if (CPU != null) {
            try {
                long t = (long) CPU.invokeExact();
                if (t >= 0) {
                    return t;
                }
            } catch (Throwable e) {
                // fall through to ProcessHandle
            }
        }
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** @return {collections, milliseconds} summed over all collectors; {-1, -1} if unknown */
    public static long[] gcCountAndMillis() {
        if (GCS.isEmpty() || GC_COUNT == null || GC_TIME == null) {
            return new long[] {-1, -1};
        }
        long count = 0;
        long millis = 0;
        try {
            for (Object gc : GCS) {
                count += Math.max(0, (long) GC_COUNT.invoke(gc));
                millis += Math.max(0, (long) GC_TIME.invoke(gc));
            }
        } catch (Throwable e) {
            return new long[] {-1, -1};
        }
        return new long[] {count, millis};
    }

    private static MethodHandle findCpu() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Object os = factory.getMethod("getOperatingSystemMXBean").invoke(null);
            Class<?> sunOs = Class.forName("com.sun.management.OperatingSystemMXBean");
            if (!sunOs.isInstance(os)) {
                return null;
            }
            MethodHandle h = MethodHandles.publicLookup()
                    .findVirtual(sunOs, "getProcessCpuTime", MethodType.methodType(long.class))
                    .bindTo(os);
            return ((long) h.invoke()) >= 0 ? h : null;
        } catch (Throwable e) {
            return null;
        }
    }

    private static List<Object> findCollectors() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            List<?> beans = (List<?>) factory.getMethod("getGarbageCollectorMXBeans").invoke(null);
            return List.copyOf(beans);
        } catch (Throwable e) {
            return List.of();
        }
    }

    private static MethodHandle gcGetter(String name) {
        try {
            Class<?> type = Class.forName("java.lang.management.GarbageCollectorMXBean");
            return MethodHandles.publicLookup().findVirtual(type, name, MethodType.methodType(long.class))
                    .asType(MethodType.methodType(long.class, Object.class));
        } catch (Throwable e) {
            return null;
        }
    }
}
