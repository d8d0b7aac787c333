package dev.knitting.fuzz;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Heap bytes the current thread allocates, to tell a bounded allocation from one sized by a number a
 * hostile peer announced. A fuzz target measures one call and fails when it allocated more than a
 * budget proportional to the bytes the peer actually wrote: an {@link OutOfMemoryError} would only
 * show the worst case, and only with a heap small enough.
 *
 * <p>The first runs of a code path also allocate for class loading, linking and lambdas, so a call
 * over budget is repeated once ({@link #withinBudget}): only a call over budget twice, the second
 * time with everything loaded, is a finding.
 *
 * <p>Reached by reflection: the tests compile inside module {@code dev.knitting}, which does not read
 * {@code jdk.management}; at run time they sit on the class path and may
 * ({@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes}).
 */
final class AllocationMeter {
    private static final MethodHandle ALLOCATED = allocatedBytes();

    private AllocationMeter() {
    }

    /** @return bytes this thread has allocated so far (a running total) */
    static long allocated() {
        try {
            return (long) ALLOCATED.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("ThreadMXBean.getCurrentThreadAllocatedBytes failed", e);
        }
    }

    /**
     * Runs {@code call}, and once more if it allocated more than {@code budget} bytes.
     *
     * @param budget bytes the call may allocate
     * @param what the call, for the message
     * @param call deterministic: the same input, from the same starting state each time
     * @throws AssertionError if the call allocated more than {@code budget} both times
     */
    static void withinBudget(long budget, String what, Runnable call) {
        long first = measure(call);
        if (first <= budget) {
            return;
        }
        long second = measure(call);
        if (second > budget) {
            throw new AssertionError(what + " allocated " + second + " bytes (" + first + " the first time), more"
                    + " than its budget of " + budget + " bytes: an allocation is sized by an announced number,"
                    + " not by the bytes that arrived");
        }
    }

    private static long measure(Runnable call) {
        long before = allocated();
        call.run();
        return allocated() - before;
    }

    private static MethodHandle allocatedBytes() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Object threads = factory.getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            if (!type.isInstance(threads)
                    || !(boolean) type.getMethod("isThreadAllocatedMemorySupported").invoke(threads)) {
                throw new IllegalStateException("this JVM cannot measure per-thread allocation");
            }
            type.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(threads, true);
            return MethodHandles.publicLookup()
                    .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                    .bindTo(threads);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the fuzz targets need com.sun.management.ThreadMXBean"
                    + " (module jdk.management) to measure allocation: " + e, e);
        }
    }
}
