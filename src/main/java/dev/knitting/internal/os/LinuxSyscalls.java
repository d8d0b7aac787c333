package dev.knitting.internal.os;

import java.util.Locale;

/**
 * Linux syscall numbers of one arch (x86-64, or aarch64 with the asm-generic table). Plain
 * constants with no native linking, so that choosing a platform can ask about them without
 * initialising {@link LinuxLibc}. Every raw call of this package goes through libc's variadic
 * {@code syscall} with one of these numbers, so one downcall handle serves them all.
 *
 * <p>An arch without a table gets {@link #UNKNOWN}, whose numbers are all -1: callers check
 * {@link #known()} and say which arch is missing.
 *
 * @param name the arch as named here ({@code x86_64}, {@code aarch64}, or the unknown os.arch)
 * @param read read(2)
 * @param close close(2)
 * @param fstat fstat(2) (glibc before 2.33 exports no {@code fstat} symbol)
 * @param lseek lseek(2)
 * @param mmap mmap(2)
 * @param munmap munmap(2)
 * @param pread64 pread(2)
 * @param getpid getpid(2)
 * @param getppid getppid(2)
 * @param gettid gettid(2)
 * @param fcntl fcntl(2)
 * @param ftruncate ftruncate(2)
 * @param openat openat(2): {@code open} is {@code openat(AT_FDCWD, ...)}
 * @param fallocate fallocate(2)
 * @param memfdCreate memfd_create(2)
 * @param ppoll ppoll(2): aarch64 has no {@code poll}
 * @param exitGroup exit_group(2), what {@code _exit} calls
 * @param futex futex(2)
 * @param pidfdOpen pidfd_open(2), Linux 5.3+
 * @param prctl prctl(2)
 * @param seccomp seccomp(2)
 * @param write write(2)
 * @param eventfd2 eventfd2(2), what {@code eventfd} calls
 */
record LinuxSyscalls(String name, long read, long close, long fstat, long lseek, long mmap, long munmap,
                     long pread64, long getpid, long getppid, long gettid, long fcntl, long ftruncate, long openat,
                     long fallocate, long memfdCreate, long ppoll, long exitGroup, long futex, long pidfdOpen,
                     long prctl, long seccomp, long write, long eventfd2) {
    /** x86-64 ({@code arch/x86/entry/syscalls/syscall_64.tbl}). */
    static final LinuxSyscalls X86_64 = new LinuxSyscalls("x86_64", 0, 3, 5, 8, 9, 11, 17, 39, 110, 186, 72, 77,
            257, 285, 319, 271, 231, 202, 434, 157, 317, 1, 290);
    /** aarch64 ({@code include/uapi/asm-generic/unistd.h}). */
    static final LinuxSyscalls AARCH64 = new LinuxSyscalls("aarch64", 63, 57, 80, 62, 222, 215, 67, 172, 173, 178,
            25, 46, 56, 47, 279, 73, 94, 98, 434, 167, 277, 64, 19);
    /** No table: every number -1. */
    static final LinuxSyscalls UNKNOWN = new LinuxSyscalls("unknown", -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
            -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);

    /** The table of this JVM's {@code os.arch}. */
    static final LinuxSyscalls CURRENT = of(System.getProperty("os.arch", ""));

    /** @return the table of {@code arch} (an {@code os.arch} value), {@link #UNKNOWN} when there is none */
    static LinuxSyscalls of(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> UNKNOWN;
        };
    }

    /** @return whether this arch has a table */
    boolean known() {
        return futex > 0;
    }

    /** @return {@code SYS_futex}: 202 on x86-64, 98 on aarch64 (asm-generic), -1 when unknown */
    static long futexNumber(String arch) {
        return of(arch).futex();
    }

    /** @return {@code SYS_fstat}: 5 on x86-64, 80 on aarch64 (asm-generic), -1 when unknown */
    static long fstatNumber(String arch) {
        return of(arch).fstat();
    }

    /**
     * @return the offset of {@code st_mode} in the kernel's {@code struct stat}: 24 on x86-64
     *     (after the 64-bit {@code st_nlink}), 16 on aarch64 (asm-generic); -1 when unknown.
     *     {@code st_size} is at 48 on both.
     */
    static long statModeOffset(String arch) {
        LinuxSyscalls table = of(arch);
        return table == X86_64 ? 24 : table == AARCH64 ? 16 : -1;
    }
}
