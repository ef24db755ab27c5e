package org.ldirector.sys;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A raw {@code struct sockaddr_*} as the kernel wants it: an immutable byte image plus helpers to
 * build and read the families ldirector uses (netlink, IPv4, IPv6, unix datagram).
 *
 * <p>Byte order differs inside one struct: {@code sa_family} (and netlink pid/groups, IPv6 scope
 * id) are host order, while IP ports are network order.
 */
public final class SockAddr {
    /** sizeof(struct sockaddr_storage): big enough for any family on recvfrom. */
    static final int STORAGE_SIZE = 128;

    private static final int UNIX_PATH_MAX = 108;

    private final byte[] bytes;

    private SockAddr(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps an address image as returned by the kernel (first {@code length} bytes of {@code raw}).
     */
    public static SockAddr ofBytes(byte[] raw, int length) {
        return new SockAddr(Arrays.copyOf(raw, length));
    }

    /**
     * {@code struct sockaddr_nl}: portId 0 lets the kernel pick one (bind) or means the kernel
     * (sendto).
     */
    public static SockAddr netlink(int portId, int groups) {
        ByteBuffer b = host(12);
        b.putShort((short) Sock.AF_NETLINK).putShort((short) 0).putInt(portId).putInt(groups);
        return new SockAddr(b.array());
    }

    public static SockAddr inet(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
        if (ip instanceof Inet6Address v6) {
            return inet6(v6, address.getPort());
        }
        return inet4((Inet4Address) ip, address.getPort());
    }

    /** {@code struct sockaddr_in} (16 bytes); port in network byte order. */
    public static SockAddr inet4(Inet4Address ip, int port) {
        ByteBuffer b = host(16);
        b.putShort((short) Sock.AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).put(ip.getAddress());
        return new SockAddr(b.array());
    }

    /** {@code struct sockaddr_in6} (28 bytes); port network order, scope id host order. */
    public static SockAddr inet6(Inet6Address ip, int port) {
        ByteBuffer b = host(28);
        b.putShort((short) Sock.AF_INET6);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0).put(ip.getAddress());
        b.order(ByteOrder.nativeOrder()).putInt(ip.getScopeId());
        return new SockAddr(b.array());
    }

    /**
     * {@code struct sockaddr_un} for a path, or for an abstract name when the path starts with '@'
     * (the systemd NOTIFY_SOCKET convention; the '@' becomes a leading NUL and no NUL ends it).
     */
    public static SockAddr unix(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = name.length > 0 && name[0] == '@';
        if (isAbstract) {
            name[0] = 0;
        }
        int len = isAbstract ? name.length : name.length + 1;
        if (len > UNIX_PATH_MAX) {
            throw new IllegalArgumentException("unix socket path longer than 107 bytes: " + path);
        }
        ByteBuffer b = host(2 + len);
        b.putShort((short) Sock.AF_UNIX).put(name);
        return new SockAddr(b.array());
    }

    public int family() {
        return Short.toUnsignedInt(
                ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getShort(0));
    }

    /** The netlink port id (nl_pid) of an AF_NETLINK address. */
    public int netlinkPortId() {
        requireFamily(Sock.AF_NETLINK);
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(4);
    }

    /** The IP address and port of an AF_INET or AF_INET6 address. */
    public InetSocketAddress toInetSocketAddress() {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int port = Short.toUnsignedInt(b.getShort(2));
        try {
            if (family() == Sock.AF_INET) {
                return new InetSocketAddress(
                        InetAddress.getByAddress(Arrays.copyOfRange(bytes, 4, 8)), port);
            }
            requireFamily(Sock.AF_INET6);
            int scope = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(24);
            return new InetSocketAddress(
                    Inet6Address.getByAddress(null, Arrays.copyOfRange(bytes, 8, 24), scope), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("impossible: fixed-length address", e);
        }
    }

    /** A copy of the raw struct. */
    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] raw() {
        return bytes;
    }

    private void requireFamily(int family) {
        if (family() != family) {
            throw new IllegalStateException("address family " + family() + ", expected " + family);
        }
    }

    private static ByteBuffer host(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SockAddr other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return switch (family()) {
            case Sock.AF_NETLINK -> "netlink:" + netlinkPortId();
            case Sock.AF_INET, Sock.AF_INET6 -> toInetSocketAddress().toString();
            default -> "sockaddr[" + HexFormat.of().formatHex(bytes) + "]";
        };
    }
}
