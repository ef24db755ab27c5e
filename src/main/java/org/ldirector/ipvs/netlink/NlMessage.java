package org.ldirector.ipvs.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One netlink message from a received datagram: header fields plus its payload (everything after
 * the 16-byte header, as a read-only slice).
 */
public record NlMessage(int type, int flags, int seq, int portId, ByteBuffer payload) {

    /**
     * Splits a datagram into messages. A datagram may hold many (dump chunks, a batch of acks).
     *
     * @throws NetlinkFormatException on a truncated or inconsistent header
     */
    public static List<NlMessage> parseAll(ByteBuffer datagram) throws NetlinkFormatException {
        ByteBuffer b = datagram.slice().order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>();
        while (b.remaining() >= Netlink.NLMSG_HDRLEN) {
            int start = b.position();
            int len = b.getInt(start);
            if (len < Netlink.NLMSG_HDRLEN || len > b.remaining()) {
                throw new NetlinkFormatException(
                        "netlink message length "
                                + len
                                + " at offset "
                                + start
                                + " does not fit the "
                                + b.remaining()
                                + " bytes left");
            }
            int type = Short.toUnsignedInt(b.getShort(start + 4));
            int flags = Short.toUnsignedInt(b.getShort(start + 6));
            int seq = b.getInt(start + 8);
            int pid = b.getInt(start + 12);
            ByteBuffer payload =
                    b.slice(start + Netlink.NLMSG_HDRLEN, len - Netlink.NLMSG_HDRLEN)
                            .asReadOnlyBuffer()
                            .order(ByteOrder.nativeOrder());
            out.add(new NlMessage(type, flags, seq, pid, payload));
            b.position(Math.min(b.limit(), start + Netlink.align(len)));
        }
        return out;
    }

    /**
     * A copy that owns its payload. Parsed messages are views into the receive buffer, which the
     * next receive overwrites; anything kept across receives must be copied.
     */
    public NlMessage detached() {
        ByteBuffer own = ByteBuffer.allocate(payload.remaining());
        own.put(payload.duplicate()).flip();
        return new NlMessage(
                type, flags, seq, portId, own.asReadOnlyBuffer().order(ByteOrder.nativeOrder()));
    }

    /** For NLMSG_ERROR: the (negative) errno, 0 for a plain ack. */
    public int errorCode() throws NetlinkFormatException {
        if (type != Netlink.NLMSG_ERROR || payload.remaining() < 4) {
            throw new NetlinkFormatException("not an NLMSG_ERROR message (type " + type + ")");
        }
        return payload.getInt(0);
    }

    /**
     * The extended-ack text the kernel attached to an error, if any. Layout: int error, the echoed
     * request header (whole request unless NLM_F_CAPPED), then TLVs when NLM_F_ACK_TLVS is set.
     */
    public String extAckMessage() throws NetlinkFormatException {
        if ((flags & Netlink.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int echoedLen = payload.getInt(4);
        int tlvStart =
                4
                        + ((flags & Netlink.NLM_F_CAPPED) != 0
                                ? Netlink.NLMSG_HDRLEN
                                : Netlink.align(echoedLen));
        if (tlvStart > payload.remaining()) {
            return null;
        }
        Attributes tlvs = Attributes.parse(payload.slice(tlvStart, payload.remaining() - tlvStart));
        return tlvs.has(Netlink.NLMSGERR_ATTR_MSG) ? tlvs.string(Netlink.NLMSGERR_ATTR_MSG) : null;
    }

    /** The generic-netlink command of this message's genlmsghdr. */
    public int genlCommand() {
        return Byte.toUnsignedInt(payload.get(0));
    }

    /** The attributes after the genlmsghdr. */
    public Attributes genlAttributes() throws NetlinkFormatException {
        if (payload.remaining() < Netlink.GENL_HDRLEN) {
            throw new NetlinkFormatException("generic netlink message shorter than its header");
        }
        return Attributes.parse(
                payload.slice(Netlink.GENL_HDRLEN, payload.remaining() - Netlink.GENL_HDRLEN));
    }
}
