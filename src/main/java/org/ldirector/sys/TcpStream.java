package org.ldirector.sys;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking TCP connection for probes, opened and connected in two system calls (socket with
 * SOCK_NONBLOCK, connect), fewer than a {@code SocketChannel} needs: on a small VM the system calls
 * are most of what a probe costs. Owned by one thread; watch {@link #fd()} with {@link Epoll}.
 */
public final class TcpStream implements AutoCloseable {
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SO_ERROR = 4;
    private static final int EINPROGRESS = 115;

    /** No SIGPIPE when the real has already closed its end. */
    private static final int MSG_NOSIGNAL = 0x4000;

    private final Native lib;
    private final int fd;
    private final boolean connected;
    private boolean closed;

    private TcpStream(Native lib, int fd, boolean connected) {
        this.lib = lib;
        this.fd = fd;
        this.connected = connected;
    }

    /**
     * Starts a connect to {@code to}. {@link #connectedNow()} tells whether it completed at once
     * (loopback may); otherwise wait for {@link Epoll#EPOLLOUT} and ask {@link #pendingError()}.
     *
     * @throws NativeException when the socket cannot be made (EMFILE) or the connect fails at once
     *     (ENETUNREACH)
     */
    public static TcpStream connect(InetSocketAddress to) throws NativeException {
        Native lib = Native.get();
        byte[] raw = SockAddr.inet(to).raw();
        int family = to.getAddress() instanceof Inet6Address ? Sock.AF_INET6 : Sock.AF_INET;
        int fd =
                (int)
                        lib.call(
                                "socket",
                                () ->
                                        lib.libc.socket(
                                                family,
                                                Sock.SOCK_STREAM
                                                        | SOCK_NONBLOCK
                                                        | Sock.SOCK_CLOEXEC,
                                                0));
        if (lib.libc.connect(fd, raw, raw.length) == 0) {
            return new TcpStream(lib, fd, true);
        }
        int errno = lib.errno();
        // EINTR: a non-blocking connect goes on in the background, exactly as with EINPROGRESS
        if (errno == EINPROGRESS || errno == Errno.EINTR) {
            return new TcpStream(lib, fd, false);
        }
        lib.libc.close(fd);
        throw new NativeException("connect", errno, lib.libc.strerror(errno));
    }

    public int fd() {
        return fd;
    }

    public boolean connectedNow() {
        return connected;
    }

    /**
     * After the socket became writable: 0 when the connect succeeded, else why it failed (an
     * errno).
     */
    public int pendingError() throws NativeException {
        return lib.intOption(fd, Sock.SOL_SOCKET, SO_ERROR);
    }

    /**
     * Sends what {@code src} has left; returns the bytes sent (0: the socket's buffer is full) and
     * advances it.
     */
    public int write(ByteBuffer src) throws NativeException {
        ByteBuffer slice = src.slice();
        long n =
                lib.callAllowing(
                        "send",
                        Errno.EAGAIN,
                        () -> lib.libc.send(fd, slice, slice.remaining(), MSG_NOSIGNAL));
        if (n <= 0) {
            return 0;
        }
        src.position(src.position() + (int) n);
        return (int) n;
    }

    /**
     * Reads into {@code dst} (a direct buffer) from its position; returns the bytes read, 0 when
     * nothing is there yet, -1 at the end of the stream.
     */
    public int read(ByteBuffer dst) throws NativeException {
        ByteBuffer slice = dst.slice();
        long n =
                lib.callAllowing(
                        "recv", Errno.EAGAIN, () -> lib.libc.recv(fd, slice, slice.remaining(), 0));
        if (n < 0) {
            return 0;
        }
        if (n == 0) {
            return -1;
        }
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    /** Idempotent; the descriptor also leaves every epoll set. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            lib.libc.close(fd);
        }
    }
}
