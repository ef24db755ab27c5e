package org.ldirector.sys;

/**
 * Socket-layer constants from the Linux uapi headers (sys/socket.h, linux/netlink.h, netinet/in.h).
 */
public final class Sock {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;

    /** OR-ed into the type: the descriptor never leaks into forked children (ipvsadm, scripts). */
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPPROTO_SCTP = 132;

    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_GENERIC = 16;

    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;

    public static final int SOL_IP = 0;
    public static final int IP_TTL = 2;
    public static final int SOL_IPV6 = 41;
    public static final int IPV6_UNICAST_HOPS = 16;

    public static final int SOL_NETLINK = 270;

    /** Kernel acks carry only the error header, not a copy of our request: smaller ack traffic. */
    public static final int NETLINK_CAP_ACK = 10;

    /** Kernel error replies may carry a text message (NLMSGERR_ATTR_MSG). */
    public static final int NETLINK_EXT_ACK = 11;

    public static final int MSG_PEEK = 0x2;

    /** For recvfrom: return the real datagram length even when it did not fit the buffer. */
    public static final int MSG_TRUNC = 0x20;

    public static final int MSG_DONTWAIT = 0x40;

    private Sock() {}
}
