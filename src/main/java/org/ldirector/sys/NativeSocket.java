package org.ldirector.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One socket file descriptor, owned by this handle until {@link #close()}. Works for any family
 * ldirector needs: netlink (IPVS), ICMP datagram/raw (ping checks), unix datagram (sd_notify).
 *
 * <p>Not thread-safe: one owner at a time. Every call is retried on EINTR, and failures become
 * {@link NativeException} with the errno.
 */
public final class NativeSocket implements AutoCloseable {
    private static final short POLLIN = 0x1;

    private final Native lib;
    private final int fd;
    private boolean closed;

    private NativeSocket(Native lib, int fd) {
        this.lib = lib;
        this.fd = fd;
    }

    /**
     * socket(2). {@link Sock#SOCK_CLOEXEC} is always added to {@code type}.
     *
     * @throws NativeException e.g. EPROTONOSUPPORT, EACCES (raw socket without CAP_NET_RAW)
     */
    public static NativeSocket open(int domain, int type, int protocol) throws NativeException {
        Native lib = Native.get();
        int fd =
                (int)
                        lib.call(
                                "socket(" + domain + ", " + type + ", " + protocol + ")",
                                () -> lib.libc.socket(domain, type | Sock.SOCK_CLOEXEC, protocol));
        return new NativeSocket(lib, fd);
    }

    public void bind(SockAddr address) throws NativeException {
        byte[] raw = address.raw();
        lib.call("bind(" + address + ")", () -> lib.libc.bind(fd(), raw, raw.length));
    }

    public void connect(SockAddr address) throws NativeException {
        byte[] raw = address.raw();
        lib.call("connect(" + address + ")", () -> lib.libc.connect(fd(), raw, raw.length));
    }

    /** The address the kernel gave this socket (for netlink: our port id). */
    public SockAddr localAddress() throws NativeException {
        byte[] raw = new byte[SockAddr.STORAGE_SIZE];
        int[] len = {raw.length};
        lib.call("getsockname", () -> lib.libc.getsockname(fd(), raw, len));
        return SockAddr.ofBytes(raw, len[0]);
    }

    /** send(2) of the buffer's remaining bytes on a connected socket; advances its position. */
    public int send(ByteBuffer data) throws NativeException {
        ByteBuffer slice = data.slice();
        int n = (int) lib.call("send", () -> lib.libc.send(fd(), slice, slice.remaining(), 0));
        data.position(data.position() + n);
        return n;
    }

    /** sendto(2) of the buffer's remaining bytes; advances its position. */
    public int sendTo(ByteBuffer data, SockAddr to) throws NativeException {
        ByteBuffer slice = data.slice();
        byte[] raw = to.raw();
        int n =
                (int)
                        lib.call(
                                "sendto(" + to + ")",
                                () ->
                                        lib.libc.sendto(
                                                fd(),
                                                slice,
                                                slice.remaining(),
                                                0,
                                                raw,
                                                raw.length));
        data.position(data.position() + n);
        return n;
    }

    /**
     * Reads one datagram into {@code into} from its position, waiting up to {@code timeout}.
     * Returns empty on timeout. A datagram already queued is read without a poll(2) first (one
     * syscall per datagram when busy). A datagram larger than the space left is an error (EMSGSIZE)
     * rather than silently truncated: callers size their buffers. Pass a direct buffer for large
     * reads: heap buffers are copied by the native layer.
     */
    public Optional<Received> receive(ByteBuffer into, Duration timeout) throws NativeException {
        Optional<Received> r = tryReceive(into);
        if (r.isPresent() || !awaitReadable(timeout)) {
            return r;
        }
        return tryReceive(into);
    }

    private Optional<Received> tryReceive(ByteBuffer into) throws NativeException {
        ByteBuffer slice = into.slice();
        byte[] from = new byte[SockAddr.STORAGE_SIZE];
        int[] fromLen = {from.length};
        long n =
                lib.callAllowing(
                        "recvfrom",
                        Errno.EAGAIN,
                        () ->
                                lib.libc.recvfrom(
                                        fd(),
                                        slice,
                                        slice.remaining(),
                                        Sock.MSG_TRUNC | Sock.MSG_DONTWAIT,
                                        from,
                                        fromLen));
        if (n < 0) {
            return Optional.empty();
        }
        if (n > slice.remaining()) {
            throw new NativeException(
                    "recvfrom: datagram of " + n + " bytes, buffer " + slice.remaining(),
                    Errno.EMSGSIZE,
                    "Message too long");
        }
        into.position(into.position() + (int) n);
        return Optional.of(
                new Received((int) n, SockAddr.ofBytes(from, Math.min(fromLen[0], from.length))));
    }

    /**
     * poll(2) for readability. Returns false on timeout. The deadline is kept across EINTR so a
     * signal storm cannot stretch the wait.
     */
    public boolean awaitReadable(Duration timeout) throws NativeException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] pollfd =
                ByteBuffer.allocate(8)
                        .order(ByteOrder.nativeOrder())
                        .putInt(fd())
                        .putShort(POLLIN)
                        .putShort((short) 0)
                        .array();
        long ready =
                lib.call(
                        "poll",
                        () -> {
                            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                            return lib.libc.poll(
                                    pollfd,
                                    1,
                                    (int) Math.max(0, Math.min(left, Integer.MAX_VALUE)));
                        });
        return ready > 0;
    }

    public void setsockopt(int level, int option, int value) throws NativeException {
        setsockopt(
                level,
                option,
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    public void setsockopt(int level, int option, byte[] value) throws NativeException {
        lib.call(
                "setsockopt(" + level + ", " + option + ")",
                () -> lib.libc.setsockopt(fd(), level, option, value, value.length));
    }

    public int getsockoptInt(int level, int option) throws NativeException {
        return lib.intOption(fd(), level, option);
    }

    /** The descriptor number, for diagnostics only. */
    public int fd() {
        if (closed) {
            throw new IllegalStateException("socket " + fd + " is closed");
        }
        return fd;
    }

    /** Idempotent. close(2) is not retried on EINTR: on Linux the descriptor is gone either way. */
    @Override
    public void close() throws NativeException {
        if (closed) {
            return;
        }
        closed = true;
        if (lib.libc.close(fd) < 0) {
            int errno = lib.errno();
            throw new NativeException("close(" + fd + ")", errno, lib.libc.strerror(errno));
        }
    }

    /** One datagram: its length and who sent it. */
    public record Received(int length, SockAddr from) {}
}
