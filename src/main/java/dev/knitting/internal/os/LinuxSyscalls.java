package dev.knitting.internal.os;

import java.util.Locale;

/**
 * Linux syscall numbers per arch. Plain constants with no native linking, so that choosing a
 * platform can ask about them without initialising {@link LinuxLibc}.
 */
final class LinuxSyscalls {
    private LinuxSyscalls() {
    }

    /** @return {@code SYS_futex}: 202 on x86-64, 98 on aarch64 (asm-generic), -1 when unknown */
    static long futexNumber(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64" -> 98;
            default -> -1;
        };
    }
}
