package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The CPU the calling thread runs on now, from libc's {@code sched_getcpu} (glibc reads it from the
 * thread's rseq area or the vDSO: no system call). A spinner uses it to learn whether the peer it
 * waits for was queued on its own CPU, where spinning only holds the peer off.
 *
 * <p>A hint, not a fact: the thread may migrate right after the answer. Its own small binding (not
 * in {@link LinuxLibc}) so that nothing else is linked for it; linked on first use, and only when
 * native access is enabled on Linux. Everywhere else {@link #id()} answers {@code -1}.
 */
@SuppressWarnings("restricted")
public final class CurrentCpu {
    private CurrentCpu() {
    }

    /** @return whether {@link #id()} answers real CPU numbers here */
    public static boolean available() {
        return Binding.SCHED_GETCPU != null;
    }

    /** @return the CPU number the calling thread runs on now, or -1 when unknown */
    public static int id() {
        MethodHandle handle = Binding.SCHED_GETCPU;
        if (handle == null) {
            return -1;
        }
        try {
            return (int) handle.invokeExact();
        } catch (Throwable t) {
            throw Errno.rethrow("sched_getcpu", t);
        }
    }

    /** Linked on first use of {@link #id()}; {@code null} when it cannot be. */
    private static final class Binding {
        static final MethodHandle SCHED_GETCPU = link();

        private static MethodHandle link() {
            if (!Platforms.isLinux() || !Platforms.nativeAccessEnabled()) {
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
