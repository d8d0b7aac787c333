package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The CPU the calling thread runs on now, from libc's {@code sched_getcpu} (glibc reads it from the
 * thread's rseq area or the vDSO: no system call). A spinner uses it to learn whether the peer it
 * waits for was queued on its own CPU, where spinning only holds the peer off.
 *
 * <p>A hint, not a fact: the thread may migrate right after the answer. Its own small binding (not
 * in {@link LinuxLibc}) so that nothing else is linked for it; linked in the background after the
 * first use, and only when native access is enabled on Linux. Everywhere else, and until linked,
 * {@link #id()} answers {@code -1}.
 */
@SuppressWarnings("restricted")
public final class CurrentCpu {
    /** Set once the binding is linked (or found impossible); until then {@link #id()} answers -1. */
    private static volatile boolean linked;
    /** Whether the background link has been started; set once. */
    private static final AtomicBoolean LINKING = new AtomicBoolean();
    /**
     * Unanswered asks before the background link starts: a pool that only makes a few calls (a
     * short program, a cold start) never links the binding; one that spins for a while does.
     */
    static final int LINK_AFTER_ASKS = 4096;
    /** Asks answered -1 so far; racy on purpose (a lost increment only delays the link). */
    private static int unansweredAsks;

    private CurrentCpu() {
    }

    /**
     * @return whether {@link #id()} can answer real CPU numbers here (Linux with native access);
     *     until the binding is linked in the background it still answers -1
     */
    public static boolean available() {
        return Platforms.isLinux() && Platforms.nativeAccessEnabled();
    }

    /**
     * The {@value #LINK_AFTER_ASKS}th call starts linking {@code sched_getcpu} on a daemon thread
     * (linking a downcall loads hundreds of JDK classes: tens to hundreds of milliseconds in a cold
     * JVM, which a pool's start and first calls must not pay for); every call until the binding is
     * ready answers -1, which spinners read as "unknown".
     *
     * @return the CPU number the calling thread runs on now, or -1 when unknown
     */
    public static int id() {
        if (!linked) {
            if (++unansweredAsks >= LINK_AFTER_ASKS) {
                startLinking();
            }
            return -1;
        }
        return ask(Binding.SCHED_GETCPU);
    }

    /** The one call site of the binding, so that {@link #linkNow()} can resolve it ahead of the spinners. */
    private static int ask(MethodHandle handle) {
        if (handle == null) {
            return -1;
        }
        try {
            return (int) handle.invokeExact();
        } catch (Throwable t) {
            throw Errno.rethrow("sched_getcpu", t);
        }
    }

    /**
     * Links the binding now on the calling thread (tests, and code that needs the answer at once).
     *
     * @return whether {@link #id()} answers real CPU numbers from now on
     */
    public static boolean linkNow() {
        MethodHandle handle = Binding.SCHED_GETCPU;
        // resolves the call site here: virtual callers resolving it at once contend on a monitor and
        // pin their carriers (seen as jdk.VirtualThreadPinned in VirtualCallerContractTest)
        ask(handle);
        linked = true;
        return handle != null;
    }

    private static void startLinking() {
        if (!LINKING.get() && available() && LINKING.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("knitting-cpu-binding").start(CurrentCpu::linkNow);
        }
    }

    /** Linked on first use of {@link #linkNow()}; {@code null} when it cannot be. */
    private static final class Binding {
        static final MethodHandle SCHED_GETCPU = link();

        private static MethodHandle link() {
            if (!available()) {
                return null;
            }
            try {
                Linker linker = Linker.nativeLinker();
                Optional<MemorySegment> symbol = linker.defaultLookup().find("sched_getcpu");
                // critical: a leaf function of a few nanoseconds, no thread-state transition needed
                return symbol.map(s -> linker.downcallHandle(s, FunctionDescriptor.of(JAVA_INT),
                        Linker.Option.critical(false))).orElse(null);
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }
    }
}
