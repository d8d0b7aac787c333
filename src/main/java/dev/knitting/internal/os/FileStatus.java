package dev.knitting.internal.os;

/**
 * What {@code fstat} says about an open descriptor, as far as checking a peer's memory needs it.
 *
 * @param mode {@code st_mode}: file type and permission bits
 * @param size {@code st_size} in bytes
 */
record FileStatus(int mode, long size) {
    /** @return whether the descriptor is a regular file (a memfd or a tmpfs file), not a FIFO, device or socket */
    boolean isRegularFile() {
        return (mode & LinuxLibc.S_IFMT) == LinuxLibc.S_IFREG;
    }

    /** @return the file type in words, for messages */
    String type() {
        return switch (mode & LinuxLibc.S_IFMT) {
            case 0010000 -> "FIFO";
            case 0020000 -> "character device";
            case 0040000 -> "directory";
            case 0060000 -> "block device";
            case 0100000 -> "regular file";
            case 0120000 -> "symbolic link";
            case 0140000 -> "socket";
            default -> "file of type 0" + Integer.toOctalString(mode & LinuxLibc.S_IFMT);
        };
    }
}
