package org.ldirector.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongSupplier;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The only place ldirector binds libc. Package-private: nothing outside {@code sys} can name it, so
 * jnr-ffi stays contained here.
 */
final class Native {
    private static final class Holder {
        static final Native INSTANCE = new Native(LibraryLoader.create(LibC.class).load("c"));
    }

    final LibC libc;
    private final Runtime runtime;

    private Native(LibC libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
    }

    /** Loaded once per class loader on first use; immutable afterwards. */
    static Native get() {
        return Holder.INSTANCE;
    }

    int errno() {
        return LastError.getLastError(runtime);
    }

    /**
     * The one EINTR loop: runs {@code syscall} until it succeeds or fails with anything but EINTR.
     */
    long call(String what, LongSupplier syscall) throws NativeException {
        return callAllowing(what, 0, syscall);
    }

    /** As {@link #call}, but failing with {@code expectedErrno} returns -1 instead of throwing. */
    long callAllowing(String what, int expectedErrno, LongSupplier syscall) throws NativeException {
        while (true) {
            long result = syscall.getAsLong();
            if (result >= 0) {
                return result;
            }
            int errno = errno();
            if (errno == expectedErrno) {
                return -1;
            }
            if (errno != Errno.EINTR) {
                throw new NativeException(what, errno, libc.strerror(errno));
            }
        }
    }

    /** getsockopt(2) of an int option, in host byte order. */
    int intOption(int fd, int level, int option) throws NativeException {
        byte[] value = new byte[4];
        int[] len = {4};
        call(
                "getsockopt(" + level + ", " + option + ")",
                () -> libc.getsockopt(fd, level, option, value, len));
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    /**
     * The libc calls ldirector makes. It must be {@code public}: jnr-ffi generates the
     * implementation in its own class loader, which cannot implement a package-private interface.
     * Nesting it in the package-private {@code Native} keeps it unreachable from other packages.
     * Buffers are passed as slices so their position is zero at the call.
     */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, @In byte[] addr, int addrlen);

        @SaveError
        int connect(int fd, @In byte[] addr, int addrlen);

        @SaveError
        @ssize_t
        long send(int fd, @In ByteBuffer buf, @size_t long len, int flags);

        @SaveError
        @ssize_t
        long sendto(
                int fd,
                @In ByteBuffer buf,
                @size_t long len,
                int flags,
                @In byte[] addr,
                int addrlen);

        /**
         * {@code addrlen} is in/out: capacity of {@code addr} on entry, the real length on return.
         */
        @SaveError
        @ssize_t
        long recvfrom(
                int fd,
                @Out ByteBuffer buf,
                @size_t long len,
                int flags,
                @Out byte[] addr,
                int[] addrlen);

        @SaveError
        int close(int fd);

        /**
         * {@code fds} holds struct pollfd {int fd; short events; short revents;} entries, 8 bytes
         * each.
         */
        @SaveError
        int poll(byte[] fds, long nfds, int timeoutMillis);

        @SaveError
        int setsockopt(int fd, int level, int optname, @In byte[] optval, int optlen);

        @SaveError
        int getsockopt(int fd, int level, int optname, @Out byte[] optval, int[] optlen);

        @SaveError
        int getsockname(int fd, @Out byte[] addr, int[] addrlen);

        String strerror(int errnum);

        @SaveError
        @ssize_t
        long recv(int fd, @Out ByteBuffer buf, @size_t long len, int flags);

        @SaveError
        @ssize_t
        long read(int fd, @Out byte[] buf, @size_t long count);

        @SaveError
        @ssize_t
        long write(int fd, @In byte[] buf, @size_t long count);

        @SaveError
        int epoll_create1(int flags);

        /** {@code event} is one struct epoll_event ({@link Epoll#EVENT_SIZE} bytes). */
        @SaveError
        int epoll_ctl(int epfd, int op, int fd, @In byte[] event);

        /** {@code events} must be a direct buffer: the kernel writes into it without a copy. */
        @SaveError
        int epoll_wait(int epfd, @Out ByteBuffer events, int maxevents, int timeoutMillis);

        @SaveError
        int eventfd(int initval, int flags);

        @SaveError
        int kill(int pid, int sig);

        @SaveError
        int setsid();
    }
}
