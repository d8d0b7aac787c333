package dev.knitting.internal.os;

import dev.knitting.KnittingException;

/**
 * The one place that turns a failed native call into an exception naming the call and the errno
 * text. The names and texts are Linux's (asm-generic numbering, shared by x86-64 and aarch64);
 * another OS brings its own table with its bindings. A table rather than {@code strerror}: it
 * needs no native call on the error path and its text does not depend on the C locale.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;

    private static final String[][] TABLE = new String[134][];

    static {
        entry(1, "EPERM", "Operation not permitted");
        entry(2, "ENOENT", "No such file or directory");
        entry(3, "ESRCH", "No such process");
        entry(4, "EINTR", "Interrupted system call");
        entry(5, "EIO", "Input/output error");
        entry(6, "ENXIO", "No such device or address");
        entry(7, "E2BIG", "Argument list too long");
        entry(9, "EBADF", "Bad file descriptor");
        entry(10, "ECHILD", "No child processes");
        entry(11, "EAGAIN", "Resource temporarily unavailable");
        entry(12, "ENOMEM", "Cannot allocate memory");
        entry(13, "EACCES", "Permission denied");
        entry(14, "EFAULT", "Bad address");
        entry(16, "EBUSY", "Device or resource busy");
        entry(17, "EEXIST", "File exists");
        entry(18, "EXDEV", "Invalid cross-device link");
        entry(19, "ENODEV", "No such device");
        entry(20, "ENOTDIR", "Not a directory");
        entry(21, "EISDIR", "Is a directory");
        entry(22, "EINVAL", "Invalid argument");
        entry(23, "ENFILE", "Too many open files in system");
        entry(24, "EMFILE", "Too many open files");
        entry(25, "ENOTTY", "Inappropriate ioctl for device");
        entry(26, "ETXTBSY", "Text file busy");
        entry(27, "EFBIG", "File too large");
        entry(28, "ENOSPC", "No space left on device");
        entry(29, "ESPIPE", "Illegal seek");
        entry(30, "EROFS", "Read-only file system");
        entry(32, "EPIPE", "Broken pipe");
        entry(34, "ERANGE", "Numerical result out of range");
        entry(36, "ENAMETOOLONG", "File name too long");
        entry(38, "ENOSYS", "Function not implemented");
        entry(40, "ELOOP", "Too many levels of symbolic links");
        entry(75, "EOVERFLOW", "Value too large for defined data type");
        entry(95, "EOPNOTSUPP", "Operation not supported");
        entry(110, "ETIMEDOUT", "Connection timed out");
        entry(122, "EDQUOT", "Disk quota exceeded");
        entry(133, "EHWPOISON", "Memory page has hardware error");
    }

    private Errno() {
    }

    private static void entry(int errno, String name, String text) {
        TABLE[errno] = new String[] {name, text};
    }

    /**
     * @param call the call and its arguments, e.g. {@code ftruncate(fd=7, length=4096)}
     * @param errno the errno it left
     * @return the exception to throw, message {@code "<call> failed: ENOENT (No such file or directory)"}
     */
    public static NativeCallException failure(String call, int errno) {
        return new NativeCallException(call, errno);
    }

    /** @return e.g. {@code "ENOENT (No such file or directory)"}, or {@code "errno 200"} when unknown */
    public static String describe(int errno) {
        String[] known = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return known == null ? "errno " + errno : known[0] + " (" + known[1] + ")";
    }

    /**
     * Rethrows what a downcall's {@code invokeExact} threw. Downcalls throw no checked exception;
     * anything else is a binding bug, reported with the call's name.
     */
    static RuntimeException rethrow(String call, Throwable thrown) {
        if (thrown instanceof RuntimeException runtime) {
            return runtime;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        return new KnittingException("unexpected failure of native call " + call, thrown);
    }
}
