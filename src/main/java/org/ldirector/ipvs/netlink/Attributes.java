package org.ldirector.ipvs.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.ldirector.ipvs.Family;

/**
 * A parsed run of netlink attributes, indexed by type (flags bits removed). Later duplicates win,
 * as with nla_parse. Values are read with the accessors; a missing mandatory attribute is a {@link
 * NetlinkFormatException} naming the attribute.
 */
public final class Attributes {
    private static final int MAX_TYPE = 64;
    private final ByteBuffer[] values = new ByteBuffer[MAX_TYPE];

    private Attributes() {}

    public static Attributes parse(ByteBuffer region) throws NetlinkFormatException {
        Attributes a = new Attributes();
        ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
        while (b.remaining() >= Netlink.NLA_HDRLEN) {
            int start = b.position();
            int len = Short.toUnsignedInt(b.getShort(start));
            int type = Short.toUnsignedInt(b.getShort(start + 2)) & Netlink.NLA_TYPE_MASK;
            if (len < Netlink.NLA_HDRLEN || len > b.remaining()) {
                throw new NetlinkFormatException(
                        "attribute type "
                                + type
                                + " length "
                                + len
                                + " does not fit the "
                                + b.remaining()
                                + " bytes left");
            }
            if (type < MAX_TYPE) {
                a.values[type] =
                        b.slice(start + Netlink.NLA_HDRLEN, len - Netlink.NLA_HDRLEN)
                                .order(ByteOrder.nativeOrder());
            }
            b.position(Math.min(b.limit(), start + Netlink.align(len)));
        }
        return a;
    }

    public boolean has(int type) {
        return type < MAX_TYPE && values[type] != null;
    }

    public int u8(int type) throws NetlinkFormatException {
        return Byte.toUnsignedInt(need(type, 1).get(0));
    }

    public int u16(int type) throws NetlinkFormatException {
        return Short.toUnsignedInt(need(type, 2).getShort(0));
    }

    /** A 16-bit network-order value (ports). */
    public int be16(int type) throws NetlinkFormatException {
        ByteBuffer v = need(type, 2);
        return (Byte.toUnsignedInt(v.get(0)) << 8) | Byte.toUnsignedInt(v.get(1));
    }

    public int u32(int type) throws NetlinkFormatException {
        return need(type, 4).getInt(0);
    }

    public int u32(int type, int fallback) throws NetlinkFormatException {
        return has(type) ? u32(type) : fallback;
    }

    public int be32(int type) throws NetlinkFormatException {
        return need(type, 4).order(ByteOrder.BIG_ENDIAN).getInt(0);
    }

    public long u64(int type) throws NetlinkFormatException {
        return need(type, 8).getLong(0);
    }

    /** The first {@code index}-th 32-bit word of a struct payload. */
    public int u32At(int type, int index) throws NetlinkFormatException {
        return need(type, 4 * (index + 1)).getInt(4 * index);
    }

    /** A string up to its first NUL. */
    public String string(int type) throws NetlinkFormatException {
        ByteBuffer v = need(type, 0);
        byte[] raw = new byte[v.remaining()];
        v.duplicate().get(raw);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, StandardCharsets.US_ASCII);
    }

    /** An address in a union nf_inet_addr (16 bytes; IPv4 uses the first 4). */
    public InetAddress address(int type, Family family) throws NetlinkFormatException {
        ByteBuffer v = need(type, family.addressLength());
        byte[] raw = new byte[family.addressLength()];
        v.duplicate().get(raw);
        try {
            // getByAddress would turn ::ffff:a.b.c.d into an Inet4Address; an IPv6 field stays
            // IPv6.
            return family == Family.INET6
                    ? Inet6Address.getByAddress(null, raw, -1)
                    : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new NetlinkFormatException("bad address bytes " + Arrays.toString(raw));
        }
    }

    public Attributes nested(int type) throws NetlinkFormatException {
        return parse(need(type, 0));
    }

    private ByteBuffer need(int type, int minLength) throws NetlinkFormatException {
        if (!has(type)) {
            throw new NetlinkFormatException("attribute " + type + " missing");
        }
        ByteBuffer v = values[type];
        if (v.remaining() < minLength) {
            throw new NetlinkFormatException(
                    "attribute "
                            + type
                            + " has "
                            + v.remaining()
                            + " bytes, expected at least "
                            + minLength);
        }
        return v;
    }
}
