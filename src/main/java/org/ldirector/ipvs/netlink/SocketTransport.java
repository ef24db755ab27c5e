package org.ldirector.ipvs.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;

/** A NETLINK_GENERIC socket bound to a kernel-chosen port id. */
public final class SocketTransport implements NetlinkTransport {
    /**
     * Every ack of a pipelined batch is its own skb charged at its full truesize (~1 KiB) against
     * the receive buffer; too small a buffer drops acks with ENOBUFS.
     */
    static final int RECEIVE_BUFFER = 8 << 20;

    static final int SEND_BUFFER = 1 << 20;

    private final NativeSocket socket;
    private final int portId;
    private final SockAddr kernel = SockAddr.netlink(0, 0);

    private SocketTransport(NativeSocket socket, int portId) {
        this.socket = socket;
        this.portId = portId;
    }

    public static SocketTransport open() throws NativeException {
        NativeSocket s = NativeSocket.open(Sock.AF_NETLINK, Sock.SOCK_RAW, Sock.NETLINK_GENERIC);
        try {
            s.bind(SockAddr.netlink(0, 0));
            sizeBuffer(s, Sock.SO_RCVBUFFORCE, Sock.SO_RCVBUF, RECEIVE_BUFFER);
            sizeBuffer(s, Sock.SO_SNDBUFFORCE, Sock.SO_SNDBUF, SEND_BUFFER);
            // Acks without a copy of the request, and error text from the kernel when it has some.
            optional(s, Sock.SOL_NETLINK, Sock.NETLINK_CAP_ACK, 1);
            optional(s, Sock.SOL_NETLINK, Sock.NETLINK_EXT_ACK, 1);
            return new SocketTransport(s, s.localAddress().netlinkPortId());
        } catch (NativeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The FORCE variant ignores rmem_max but needs CAP_NET_ADMIN, which programming IPVS needs
     * anyway.
     */
    private static void sizeBuffer(NativeSocket s, int forceOption, int option, int bytes)
            throws NativeException {
        try {
            s.setsockopt(Sock.SOL_SOCKET, forceOption, bytes);
        } catch (NativeException e) {
            s.setsockopt(Sock.SOL_SOCKET, option, bytes);
        }
    }

    private static void optional(NativeSocket s, int level, int option, int value) {
        try {
            s.setsockopt(level, option, value);
        } catch (NativeException e) {
            // Older kernels lack the option; everything still works, just with bigger acks.
        }
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void send(ByteBuffer messages) throws IOException {
        socket.sendTo(messages, kernel);
    }

    @Override
    public boolean receive(ByteBuffer into, Duration timeout) throws IOException {
        return socket.receive(into, timeout).isPresent();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
