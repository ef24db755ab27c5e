package org.ldirector.ipvs.netlink;

import static org.ldirector.ipvs.netlink.IpvsGenl.*;

import java.net.InetAddress;
import java.util.Arrays;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.Family;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.IpvsInfo;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.ServiceEntry;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.Stats;
import org.ldirector.ipvs.SyncDaemon;
import org.ldirector.ipvs.Timeouts;
import org.ldirector.ipvs.VirtualService;

/**
 * Pure encoders and decoders for the IPVS generic-netlink family. Requests are laid out attribute
 * for attribute as libipvs (ipvsadm 1.31) lays them out, so the golden tests can compare our bytes
 * with what ipvsadm sent to a real kernel.
 */
public final class IpvsCodec {
    /** Every IPVS request we send wants a reply or an ack. */
    public static final int REQUEST_FLAGS = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    public static final int DUMP_FLAGS = REQUEST_FLAGS | Netlink.NLM_F_DUMP;

    /** ipvsadm's defaults for the parts of a delete request the kernel ignores (gate, weight 1). */
    private static final int FILLER_FWD = Forwarding.ROUTE.code();

    private static final int FILLER_WEIGHT = 1;

    private IpvsCodec() {}

    /** CTRL_CMD_GETFAMILY for "IPVS": the reply carries the family's dynamic id. */
    public static void getFamily(MessageWriter w, int seq, int portId, String name) {
        w.beginGenl(
                        Netlink.GENL_ID_CTRL,
                        REQUEST_FLAGS,
                        seq,
                        portId,
                        Netlink.CTRL_CMD_GETFAMILY,
                        Netlink.CTRL_VERSION)
                .putString(Netlink.CTRL_ATTR_FAMILY_NAME, name)
                .end();
    }

    public static int decodeFamilyId(NlMessage reply) throws NetlinkFormatException {
        return reply.genlAttributes().u16(Netlink.CTRL_ATTR_FAMILY_ID);
    }

    /** One table change; the command and attributes follow from the op. */
    public static void op(MessageWriter w, int family, int seq, int portId, IpvsOp op) {
        if (op instanceof IpvsOp.AddService a) {
            w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_NEW_SERVICE, VERSION);
            fullService(w, a.virtualService());
        } else if (op instanceof IpvsOp.UpdateService u) {
            w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_SET_SERVICE, VERSION);
            fullService(w, u.virtualService());
        } else if (op instanceof IpvsOp.DeleteService d) {
            w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_DEL_SERVICE, VERSION);
            fillerService(w, d.service());
        } else if (op instanceof IpvsOp.AddDestination a) {
            w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_NEW_DEST, VERSION);
            fillerService(w, a.service());
            dest(w, a.destination());
        } else if (op instanceof IpvsOp.UpdateDestination u) {
            w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_SET_DEST, VERSION);
            fillerService(w, u.service());
            dest(w, u.destination());
        } else {
            IpvsOp.DeleteDestination d = (IpvsOp.DeleteDestination) op;
            w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_DEL_DEST, VERSION);
            fillerService(w, d.service());
            dest(
                    w,
                    new Destination(
                            d.destination().address(),
                            d.destination().port(),
                            Forwarding.ofCode(FILLER_FWD),
                            FILLER_WEIGHT,
                            0,
                            0));
        }
        w.end();
    }

    public static void getServices(MessageWriter w, int family, int seq, int portId) {
        w.beginGenl(family, DUMP_FLAGS, seq, portId, CMD_GET_SERVICE, VERSION).end();
    }

    /** GET_DEST dump: the service travels as its key only. */
    public static void getDestinations(
            MessageWriter w, int family, int seq, int portId, ServiceKey key) {
        w.beginGenl(family, DUMP_FLAGS, seq, portId, CMD_GET_DEST, VERSION);
        w.beginNest(CMD_ATTR_SERVICE);
        serviceKey(w, key);
        w.endNest().end();
    }

    public static void simple(MessageWriter w, int family, int seq, int portId, int cmd) {
        w.beginGenl(family, REQUEST_FLAGS, seq, portId, cmd, VERSION).end();
    }

    public static void setTimeouts(MessageWriter w, int family, int seq, int portId, Timeouts t) {
        w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_SET_CONFIG, VERSION)
                .putU32(CMD_ATTR_TIMEOUT_TCP, t.tcp())
                .putU32(CMD_ATTR_TIMEOUT_TCP_FIN, t.tcpFin())
                .putU32(CMD_ATTR_TIMEOUT_UDP, t.udp())
                .end();
    }

    /**
     * NEW_DAEMON as libipvs lays it out: state, interface and id always; the optional values only
     * when set, so the kernel fills in its defaults for the rest. The port is host order here
     * (NLA_U16), unlike service ports; the IPv4 group is an in_addr (network order).
     */
    public static void startDaemon(MessageWriter w, int family, int seq, int portId, SyncDaemon d) {
        w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_NEW_DAEMON, VERSION);
        w.beginNest(CMD_ATTR_DAEMON);
        w.putU32(DAEMON_ATTR_STATE, d.state().code());
        w.putString(DAEMON_ATTR_MCAST_IFN, d.multicastInterface());
        w.putU32(DAEMON_ATTR_SYNC_ID, d.syncId());
        if (d.maxLength() != 0) {
            w.putU16(DAEMON_ATTR_SYNC_MAXLEN, d.maxLength());
        }
        if (d.port() != 0) {
            w.putU16(DAEMON_ATTR_MCAST_PORT, d.port());
        }
        if (d.ttl() != 0) {
            w.putU8(DAEMON_ATTR_MCAST_TTL, d.ttl());
        }
        if (d.group() != null) {
            w.putBytes(
                    d.ipv6Group() ? DAEMON_ATTR_MCAST_GROUP6 : DAEMON_ATTR_MCAST_GROUP,
                    d.group().getAddress());
        }
        w.endNest().end();
    }

    /** DEL_DAEMON: the kernel reads only the state; libipvs adds an empty interface and id 0. */
    public static void stopDaemon(
            MessageWriter w, int family, int seq, int portId, SyncDaemon.State state) {
        w.beginGenl(family, REQUEST_FLAGS, seq, portId, CMD_DEL_DAEMON, VERSION);
        w.beginNest(CMD_ATTR_DAEMON);
        w.putU32(DAEMON_ATTR_STATE, state.code());
        w.putString(DAEMON_ATTR_MCAST_IFN, "");
        w.putU32(DAEMON_ATTR_SYNC_ID, 0);
        w.endNest().end();
    }

    /** GET_DAEMON exists only as a dump in the kernel (ip_vs_genl_dump_daemons). */
    public static void getDaemons(MessageWriter w, int family, int seq, int portId) {
        w.beginGenl(family, DUMP_FLAGS, seq, portId, CMD_GET_DAEMON, VERSION).end();
    }

    /** One NEW_DAEMON message of a GET_DAEMON dump. */
    public static SyncDaemon decodeDaemon(NlMessage msg) throws NetlinkFormatException {
        Attributes d = msg.genlAttributes().nested(CMD_ATTR_DAEMON);
        InetAddress group = null;
        if (d.has(DAEMON_ATTR_MCAST_GROUP6)) {
            group = d.address(DAEMON_ATTR_MCAST_GROUP6, Family.INET6);
        } else if (d.has(DAEMON_ATTR_MCAST_GROUP)) {
            group = d.address(DAEMON_ATTR_MCAST_GROUP, Family.INET);
        }
        try {
            return new SyncDaemon(
                    SyncDaemon.State.ofCode(d.u32(DAEMON_ATTR_STATE)),
                    d.string(DAEMON_ATTR_MCAST_IFN),
                    d.u32(DAEMON_ATTR_SYNC_ID),
                    d.has(DAEMON_ATTR_SYNC_MAXLEN) ? d.u16(DAEMON_ATTR_SYNC_MAXLEN) : 0,
                    group,
                    d.has(DAEMON_ATTR_MCAST_PORT) ? d.u16(DAEMON_ATTR_MCAST_PORT) : 0,
                    d.has(DAEMON_ATTR_MCAST_TTL) ? d.u8(DAEMON_ATTR_MCAST_TTL) : 0);
        } catch (IllegalArgumentException e) {
            throw new NetlinkFormatException("sync daemon: " + e.getMessage());
        }
    }

    private static void serviceKey(MessageWriter w, ServiceKey key) {
        w.putU16(SVC_ATTR_AF, key.family().af());
        if (key.isFwmark()) {
            w.putU32(SVC_ATTR_FWMARK, key.fwmark());
        } else {
            w.putU16(SVC_ATTR_PROTOCOL, key.protocol().number());
            w.putBytes(SVC_ATTR_ADDR, addressField(key.address()));
            w.putBe16(
                    SVC_ATTR_PORT,
                    key.port()); // network byte order, unlike every other integer here
        }
    }

    private static void fullService(MessageWriter w, VirtualService vs) {
        serviceAttrs(w, vs.key(), vs.scheduler(), vs.flags(), vs.timeout(), vs.netmask());
    }

    /**
     * libipvs always sends the complete service, even where the kernel only reads the key (delete,
     * destination commands); it fills in an empty scheduler, no flags, timeout 0 and the family's
     * default mask (255.255.255.255 or /128).
     */
    private static void fillerService(MessageWriter w, ServiceKey key) {
        serviceAttrs(w, key, "", 0, 0, VirtualService.defaultNetmask(key.family()));
    }

    private static void serviceAttrs(
            MessageWriter w, ServiceKey key, String sched, int flags, int timeout, int netmask) {
        w.beginNest(CMD_ATTR_SERVICE);
        serviceKey(w, key);
        w.putString(SVC_ATTR_SCHED_NAME, sched);
        // IPVS_SVC_ATTR_FLAGS is struct ip_vs_flags {flags, mask}: the kernel applies
        // new = (old & ~mask) | (flags & mask); mask ~0 replaces every flag.
        w.putU32Pair(SVC_ATTR_FLAGS, flags, 0xffffffff);
        w.putU32(SVC_ATTR_TIMEOUT, timeout);
        // The netmask is a __be32 for IPv4 (a mask, network order) but a host-order prefix
        // length for IPv6.
        if (key.family() == Family.INET) {
            w.putBe32(SVC_ATTR_NETMASK, netmask);
        } else {
            w.putU32(SVC_ATTR_NETMASK, netmask);
        }
        w.endNest();
    }

    private static void dest(MessageWriter w, Destination d) {
        w.beginNest(CMD_ATTR_DEST);
        w.putU16(DEST_ATTR_ADDR_FAMILY, d.family().af());
        w.putBytes(DEST_ATTR_ADDR, addressField(d.address()));
        w.putBe16(DEST_ATTR_PORT, d.port());
        w.putU32(DEST_ATTR_FWD_METHOD, d.forwarding().code());
        w.putU32(DEST_ATTR_WEIGHT, d.weight());
        // Tunnel type ipip (0), no tunnel port or checksum flags: what ipvsadm -i sends.
        w.putU8(DEST_ATTR_TUN_TYPE, 0);
        w.putU16(DEST_ATTR_TUN_PORT, 0);
        w.putU16(DEST_ATTR_TUN_FLAGS, 0);
        w.putU32(DEST_ATTR_U_THRESH, d.upperThreshold());
        w.putU32(DEST_ATTR_L_THRESH, d.lowerThreshold());
        w.endNest();
    }

    /** union nf_inet_addr: always 16 bytes on the wire, an IPv4 address in the first four. */
    static byte[] addressField(InetAddress address) {
        return Arrays.copyOf(address.getAddress(), ADDR_LEN);
    }

    // ---- replies ----

    /** One NEW_SERVICE message of a GET_SERVICE dump. */
    public static ServiceEntry decodeService(NlMessage msg) throws NetlinkFormatException {
        Attributes s = msg.genlAttributes().nested(CMD_ATTR_SERVICE);
        Family family = Family.ofAf(s.u16(SVC_ATTR_AF));
        ServiceKey key;
        if (s.has(SVC_ATTR_FWMARK) && s.u32(SVC_ATTR_FWMARK) != 0) {
            key = ServiceKey.fwmark(s.u32(SVC_ATTR_FWMARK), family);
        } else {
            key =
                    ServiceKey.of(
                            IpvsProtocol.ofNumber(s.u16(SVC_ATTR_PROTOCOL)),
                            s.address(SVC_ATTR_ADDR, family),
                            s.be16(SVC_ATTR_PORT));
        }
        // The kernel reports its internal HASHED bit too; keep only the bits a client sets.
        int flags = s.u32At(SVC_ATTR_FLAGS, 0) & VirtualService.SETTABLE;
        int netmask = family == Family.INET ? s.be32(SVC_ATTR_NETMASK) : s.u32(SVC_ATTR_NETMASK);
        VirtualService vs =
                new VirtualService(
                        key,
                        s.string(SVC_ATTR_SCHED_NAME),
                        flags,
                        s.u32(SVC_ATTR_TIMEOUT),
                        netmask);
        return new ServiceEntry(vs, stats(s, SVC_ATTR_STATS64, SVC_ATTR_STATS));
    }

    /**
     * One NEW_DEST message of a GET_DEST dump; {@code serviceFamily} for kernels without
     * ADDR_FAMILY.
     */
    public static DestinationEntry decodeDestination(NlMessage msg, Family serviceFamily)
            throws NetlinkFormatException {
        Attributes d = msg.genlAttributes().nested(CMD_ATTR_DEST);
        Family family =
                d.has(DEST_ATTR_ADDR_FAMILY)
                        ? Family.ofAf(d.u16(DEST_ATTR_ADDR_FAMILY))
                        : serviceFamily;
        Destination dest =
                new Destination(
                        d.address(DEST_ATTR_ADDR, family),
                        d.be16(DEST_ATTR_PORT),
                        Forwarding.ofCode(d.u32(DEST_ATTR_FWD_METHOD)),
                        d.u32(DEST_ATTR_WEIGHT),
                        d.u32(DEST_ATTR_U_THRESH),
                        d.u32(DEST_ATTR_L_THRESH));
        return new DestinationEntry(
                dest,
                d.u32(DEST_ATTR_ACTIVE_CONNS, 0),
                d.u32(DEST_ATTR_INACT_CONNS, 0),
                d.u32(DEST_ATTR_PERSIST_CONNS, 0),
                stats(d, DEST_ATTR_STATS64, DEST_ATTR_STATS));
    }

    public static IpvsInfo decodeInfo(NlMessage msg) throws NetlinkFormatException {
        Attributes a = msg.genlAttributes();
        return new IpvsInfo(a.u32(INFO_ATTR_VERSION), a.u32(INFO_ATTR_CONN_TAB_SIZE));
    }

    public static Timeouts decodeTimeouts(NlMessage msg) throws NetlinkFormatException {
        Attributes a = msg.genlAttributes();
        return new Timeouts(
                a.u32(CMD_ATTR_TIMEOUT_TCP, 0),
                a.u32(CMD_ATTR_TIMEOUT_TCP_FIN, 0),
                a.u32(CMD_ATTR_TIMEOUT_UDP, 0));
    }

    /** STATS64 (u64 counters, kernel 4.x+) when present, else the legacy u32 STATS. */
    private static Stats stats(Attributes parent, int stats64Type, int stats32Type)
            throws NetlinkFormatException {
        if (parent.has(stats64Type)) {
            Attributes s = parent.nested(stats64Type);
            return new Stats(
                    s.u64(STATS_ATTR_CONNS),
                    s.u64(STATS_ATTR_INPKTS),
                    s.u64(STATS_ATTR_OUTPKTS),
                    s.u64(STATS_ATTR_INBYTES),
                    s.u64(STATS_ATTR_OUTBYTES),
                    s.u64(STATS_ATTR_CPS),
                    s.u64(STATS_ATTR_INPPS),
                    s.u64(STATS_ATTR_OUTPPS),
                    s.u64(STATS_ATTR_INBPS),
                    s.u64(STATS_ATTR_OUTBPS));
        }
        if (parent.has(stats32Type)) {
            Attributes s = parent.nested(stats32Type);
            return new Stats(
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_CONNS)),
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_INPKTS)),
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_OUTPKTS)),
                    s.u64(STATS_ATTR_INBYTES),
                    s.u64(STATS_ATTR_OUTBYTES),
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_CPS)),
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_INPPS)),
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_OUTPPS)),
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_INBPS)),
                    Integer.toUnsignedLong(s.u32(STATS_ATTR_OUTBPS)));
        }
        return Stats.ZERO;
    }
}
