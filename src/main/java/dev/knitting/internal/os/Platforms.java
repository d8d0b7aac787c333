package dev.knitting.internal.os;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Picks the platform's implementations once, and says why. Native bindings are only touched when
 * this module may use restricted methods; otherwise the portable fallbacks are used and the
 * reason names the exact {@code --enable-native-access} flag that is missing.
 */
public final class Platforms {
    private static final String OS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    private static final String ARCH = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    private static final AtomicBoolean SYSCALL_LINK_STARTED = new AtomicBoolean();

    private Platforms() {
    }

    /** @return the best {@link Waiter} of this platform, chosen once */
    public static Waiter waiter() {
        return WaiterHolder.WAITER;
    }

    /** @return one line saying which waiter was chosen and why, for debug output */
    public static String waiterReason() {
        return WaiterHolder.REASON;
    }

    /**
     * Separate so that asking about the platform ({@link #isLinux()}, native access) links nothing:
     * choosing the waiter links the futex call, which only process lanes need.
     */
    private static final class WaiterHolder {
        static final Waiter WAITER;
        static final String REASON;

        static {
            Waiter waiter = null;
            String reason;
            Optional<String> denied = nativeAccessProblem();
            if (!isLinux()) {
                reason = "in-process waiter: no futex binding for os.name=" + System.getProperty("os.name")
                        + " yet; waits do not reach other processes";
            } else if (!isSupportedLinuxArch()) {
                reason = "in-process waiter: no futex syscall number for os.arch=" + ARCH
                        + "; waits do not reach other processes";
            } else if (denied.isPresent()) {
                reason = "in-process waiter: " + denied.get();
            } else {
                try {
                    waiter = new LinuxFutex();
                    reason = "futex(2) through libc syscall, shared form, Linux " + ARCH;
                } catch (RuntimeException | LinkageError e) {
                    reason = "in-process waiter: binding futex through libc failed: " + e;
                }
            }
            WAITER = waiter != null ? waiter : InProcessWaiter.SHARED;
            REASON = reason;
        }
    }

    /**
     * Starts linking libc's {@code syscall} (the one downcall shape of {@link LinuxLibc}) on a
     * daemon thread, once per JVM, where it can be linked; a no-op elsewhere. A thread that needs
     * the handle meanwhile waits for the link (class initialization), so nothing is linked twice.
     */
    public static void linkSyscallsInBackground() {
        if (isLinux() && isSupportedLinuxArch() && nativeAccessEnabled()
                && SYSCALL_LINK_STARTED.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("knitting-syscall-link").start(new Runnable() {
                @Override
                public void run() { // a class, not a method reference: no class spun on a cold host's main thread
                    LinuxLibc.link();
                }
            });
        }
    }

    /** @return the shared-memory binding of this platform, chosen on first use */
    static SharedMemoryBackend sharedMemory() {
        return SharedMemoryHolder.BACKEND;
    }

    /** Separate from the waiter so that choosing a waiter does not link the shared-memory calls. */
    private static final class SharedMemoryHolder {
        static final SharedMemoryBackend BACKEND = choose();

        private static SharedMemoryBackend choose() {
            if (!isLinux()) {
                return new UnsupportedSharedMemory("implemented for Linux only so far, this is os.name="
                        + System.getProperty("os.name"));
            }
            Optional<String> denied = nativeAccessProblem();
            if (denied.isPresent()) {
                return new UnsupportedSharedMemory(denied.get());
            }
            return new LinuxSharedMemory();
        }
    }

    /** @return whether this module may call restricted FFM methods (downcalls, reinterpret) */
    public static boolean nativeAccessEnabled() {
        return Platforms.class.getModule().isNativeAccessEnabled();
    }

    /**
     * @return {@code --enable-native-access=dev.knitting} on the module path,
     *     {@code --enable-native-access=ALL-UNNAMED} on the class path
     */
    public static String nativeAccessFlag() {
        Module module = Platforms.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** @return why native calls cannot be made, naming the missing flag; empty when they can */
    public static Optional<String> nativeAccessProblem() {
        if (nativeAccessEnabled()) {
            return Optional.empty();
        }
        return Optional.of("native access is not enabled for " + Platforms.class.getModule()
                + "; add " + nativeAccessFlag() + " to the java command line");
    }

    static boolean isLinux() {
        return OS.startsWith("linux");
    }

    static boolean isSupportedLinuxArch() {
        return LinuxSyscalls.futexNumber(ARCH) > 0;
    }
}
