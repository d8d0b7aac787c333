package dev.knitting.internal.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.knitting.KnittingException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A pair of connected {@code AF_UNIX} {@code SOCK_SEQPACKET} sockets, and one message shape over
 * them: an 8-byte id with exactly one descriptor attached ({@code SCM_RIGHTS}), sent with
 * {@code sendmsg} and received with {@code recvmsg} through the FFM API. Nothing here blocks:
 * both calls use {@code MSG_DONTWAIT}, and the caller decides how long to retry.
 *
 * <p>Layouts (glibc, LP64; x86-64 and aarch64 alike): {@code struct msghdr} is {@code msg_name}
 * (pointer, 0), {@code msg_namelen} (u32, 8), {@code msg_iov} (pointer, 16), {@code msg_iovlen}
 * (size_t, 24), {@code msg_control} (pointer, 32), {@code msg_controllen} (size_t, 40),
 * {@code msg_flags} (s32, 48), 56 bytes; {@code struct iovec} is a pointer and a size_t; a
 * {@code struct cmsghdr} is {@code cmsg_len} (size_t, 0), {@code cmsg_level} (s32, 8),
 * {@code cmsg_type} (s32, 12), then its data at 16 ({@code CMSG_LEN(n) = 16 + n}); control messages
 * follow each other at {@code CMSG_ALIGN(cmsg_len)}, a multiple of 8.
 *
 * <p>Receiving reads every control message the kernel delivered (a hostile peer may attach several
 * descriptors, or several messages) and closes every descriptor it does not return, so nothing a
 * peer sends can pile up here. {@code MSG_CMSG_CLOEXEC} keeps received descriptors out of any
 * process this one starts.
 */
@SuppressWarnings("restricted")
public final class UnixSockets {
    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_CTRUNC = 0x08;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int EPIPE = 32;
    static final int ECONNRESET = 104;
    static final int ETOOMANYREFS = 109;
    static final int ENOBUFS = 105;

    static final long MSGHDR_SIZE = 56;
    static final long CMSG_HEADER = 16;
    /** Bytes of the payload: the id. */
    public static final int ID_BYTES = 8;
    /** Room for the control messages of one receive: more than one descriptor is refused anyway. */
    static final long CONTROL_ROOM = 256;

    /** What {@link #send} did. */
    public enum SendResult {
        /** The message is queued at the peer. */
        SENT,
        /** The peer's queue is full now (or the kernel's limit of descriptors in flight is reached): retry. */
        FULL,
        /** The peer's end is closed: it will never receive. */
        PEER_GONE
    }

    /**
     * One received message.
     *
     * @param id the id it carried
     * @param fd the descriptor it carried (now this process's, close-on-exec), or -1 if it carried none
     * @param problem what was wrong with it besides a missing descriptor (extra descriptors, a
     *     truncated or oversized payload; they were closed), empty if nothing
     */
    public record Message(long id, int fd, String problem) {
    }

    private UnixSockets() {
    }

    /** @return why these sockets cannot be used here, empty when they can */
    public static String unavailableReason() {
        if (!Platforms.isLinux()) {
            return "SCM_RIGHTS descriptor passing is used on Linux only, this is os.name=" + System.getProperty("os.name");
        }
        if (Platforms.nativeAccessProblem().isPresent()) {
            return Platforms.nativeAccessProblem().get();
        }
        String arch = System.getProperty("os.arch", "");
        if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "no msghdr layout known for os.arch=" + arch;
        }
        return Handles.SOCKETPAIR == null || Handles.SENDMSG == null || Handles.RECVMSG == null
                ? "this libc has no socketpair/sendmsg/recvmsg" : "";
    }

    /** @return two connected sockets, both close-on-exec: {@code {a, b}} */
    public static int[] socketPair() {
        requireAvailable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result = (int) LinuxLibc.callFunction(Handles.SOCKETPAIR, "socketpair", state, AF_UNIX,
                    SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds.address(), 0, 0, 0);
            if (result != 0) {
                throw Errno.failure("socketpair(AF_UNIX, SOCK_SEQPACKET)", LinuxLibc.errno(state));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * Queues one message ({@code id}, with {@code fd} attached) at the peer without blocking.
     *
     * @throws NativeCallException for any other failure than a full queue or a gone peer
     */
    public static SendResult send(int socket, long id, int fd) {
        return send(socket, id, new int[] {fd});
    }

    /**
     * Queues one message ({@code id}, with {@code fds} attached in one {@code SCM_RIGHTS} control
     * message, none if empty) at the peer without blocking. The protocol sends exactly one; tests
     * send other counts to see them refused.
     *
     * @throws NativeCallException for any other failure than a full queue or a gone peer
     */
    public static SendResult send(int socket, long id, int[] fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            MemorySegment data = arena.allocate(JAVA_LONG);
            data.set(JAVA_LONG, 0, id);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, ID_BYTES);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            if (fds.length > 0) {
                long space = cmsgSpace(4L * fds.length);
                MemorySegment control = arena.allocate(space, 8);
                control.set(JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length); // CMSG_LEN(n * sizeof(int))
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
                }
                msg.set(ADDRESS, 32, control);
                msg.set(JAVA_LONG, 40, space);
            }
            while (true) {
                long result = LinuxLibc.callFunction(Handles.SENDMSG, "sendmsg", state, socket, msg.address(),
                        MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0, 0, 0);
                if (result == ID_BYTES) {
                    return SendResult.SENT;
                }
                int errno = result < 0 ? LinuxLibc.errno(state) : 0;
                switch (errno) {
                    case Errno.EINTR -> {
                        continue;
                    }
                    case Errno.EAGAIN, ETOOMANYREFS, ENOBUFS -> {
                        return SendResult.FULL;
                    }
                    case EPIPE, ECONNRESET -> {
                        return SendResult.PEER_GONE;
                    }
                    default -> throw Errno.failure("sendmsg(socket=" + socket + ", SCM_RIGHTS fds="
                            + java.util.Arrays.toString(fds) + ")", errno);
                }
            }
        }
    }

    /**
     * Takes the next message if one is queued, without blocking.
     *
     * @return the message, or {@code null} if none is queued now
     * @throws NativeCallException if the socket fails (its peer closing it reads as end of stream:
     *     {@code EPIPE})
     */
    public static Message receive(int socket) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxLibc.CAPTURE_LAYOUT);
            MemorySegment data = arena.allocate(ID_BYTES + 8L, 8); // room for one byte too many: an oversized payload shows
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, data.byteSize());
            MemorySegment control = arena.allocate(CONTROL_ROOM, 8);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, CONTROL_ROOM);
            long result;
            while (true) {
                result = LinuxLibc.callFunction(Handles.RECVMSG, "recvmsg", state, socket, msg.address(),
                        MSG_DONTWAIT | MSG_CMSG_CLOEXEC, 0, 0, 0, 0);
                if (result >= 0 || LinuxLibc.errno(state) != Errno.EINTR) {
                    break;
                }
            }
            if (result < 0) {
                int errno = LinuxLibc.errno(state);
                if (errno == Errno.EAGAIN) {
                    return null;
                }
                throw Errno.failure("recvmsg(socket=" + socket + ")", errno);
            }
            int flags = msg.get(JAVA_INT, 48);
            long controlLength = Math.min(msg.get(JAVA_LONG, 40), CONTROL_ROOM);
            int fd = -1;
            StringBuilder problem = new StringBuilder();
            long at = 0;
            while (controlLength - at >= CMSG_HEADER) {
                long length = control.get(JAVA_LONG, at);
                if (length < CMSG_HEADER || length > controlLength - at) {
                    problem.append("a control message of ").append(length).append(" bytes; ");
                    break;
                }
                int level = control.get(JAVA_INT, at + 8);
                int type = control.get(JAVA_INT, at + 12);
                if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                    for (long p = at + CMSG_HEADER; p + 4 <= at + length; p += 4) {
                        int received = control.get(JAVA_INT, p);
                        if (fd < 0) {
                            fd = received;
                        } else {
                            LinuxLibc.close(received);
                            problem.append("more than one descriptor; ");
                        }
                    }
                } else {
                    problem.append("a control message of level ").append(level).append(" type ").append(type)
                            .append("; ");
                }
                at += cmsgAlign(length);
            }
            if ((flags & MSG_CTRUNC) != 0) {
                problem.append("control data truncated (descriptors dropped); ");
            }
            if (result == 0 && fd < 0 && problem.isEmpty()) {
                throw Errno.failure("recvmsg(socket=" + socket + "): the peer closed its end", EPIPE);
            }
            if (result != ID_BYTES || (flags & MSG_TRUNC) != 0) {
                problem.append("a payload of ").append(result).append(" bytes, not ").append(ID_BYTES).append("; ");
            }
            long id = result >= ID_BYTES ? data.get(JAVA_LONG, 0) : 0;
            String text = problem.isEmpty() ? "" : problem.substring(0, problem.length() - 2);
            return new Message(id, fd, text);
        }
    }

    /**
     * Marks an inherited socket close-on-exec, so a program this process may start does not inherit
     * it, and checks on the way that {@code fd} is open.
     *
     * @throws NativeCallException if {@code fd} is not open
     */
    public static void closeOnExec(int fd) {
        LinuxLibc.fcntl(fd, LinuxLibc.F_SETFD, 1); // FD_CLOEXEC
    }

    /** Closes a descriptor of this process. */
    public static void close(int fd) {
        LinuxLibc.close(fd);
    }

    /** {@code CMSG_ALIGN}: control messages start at multiples of {@code sizeof(size_t)}. */
    static long cmsgAlign(long length) {
        return (length + 7) & ~7L;
    }

    /** {@code CMSG_SPACE(n)}: the room one control message with {@code n} data bytes takes. */
    static long cmsgSpace(long n) {
        return CMSG_HEADER + cmsgAlign(n);
    }

    private static void requireAvailable() {
        String unavailable = unavailableReason();
        if (!unavailable.isEmpty()) {
            throw new KnittingException("cannot pass descriptors between processes: " + unavailable);
        }
    }

    /**
     * Linked on first use only, in {@link LinuxLibc}'s one integer shape: no downcall stub of
     * their own (each new shape costs a cold JVM tens of milliseconds before its first worker).
     */
    private static final class Handles {
        static final MethodHandle SOCKETPAIR = LinuxLibc.integerFunction("socketpair");
        static final MethodHandle SENDMSG = LinuxLibc.integerFunction("sendmsg");
        static final MethodHandle RECVMSG = LinuxLibc.integerFunction("recvmsg");
    }
}
