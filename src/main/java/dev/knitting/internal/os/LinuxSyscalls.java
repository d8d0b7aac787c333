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

    /** @return {@code SYS_fstat}: 5 on x86-64, 80 on aarch64 (asm-generic), -1 when unknown */
    static long fstatNumber(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 5;
            case "aarch64", "arm64" -> 80;
            default -> -1;
        };
    }

    /**
     * @return the offset of {@code st_mode} in the kernel's {@code struct stat}: 24 on x86-64
     *     (after the 64-bit {@code st_nlink}), 16 on aarch64 (asm-generic); -1 when unknown.
     *     {@code st_size} is at 48 on both.
     */
    static long statModeOffset(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 24;
            case "aarch64", "arm64" -> 16;
            default -> -1;
        };
    }
}
