package org.ldirector.ipvs.netlink;

/** Netlink and generic-netlink constants (linux/netlink.h, linux/genetlink.h). */
public final class Netlink {
    public static final int NLMSG_HDRLEN = 16;
    public static final int GENL_HDRLEN = 4;
    public static final int NLA_HDRLEN = 4;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;

    /** NLM_F_ROOT | NLM_F_MATCH. */
    public static final int NLM_F_DUMP = 0x300;

    /** On an ack: the request was not echoed back (NETLINK_CAP_ACK). */
    public static final int NLM_F_CAPPED = 0x100;

    /** On an ack: extended-ack TLVs follow (NETLINK_EXT_ACK). */
    public static final int NLM_F_ACK_TLVS = 0x200;

    /** Attribute type bits that are flags, not type (nla_type & NLA_TYPE_MASK). */
    public static final int NLA_F_NESTED = 0x8000;

    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    /** nlmsgerr extended-ack attribute carrying a text message. */
    public static final int NLMSGERR_ATTR_MSG = 1;

    public static final int GENL_ID_CTRL = 0x10;
    public static final int CTRL_CMD_GETFAMILY = 3;
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    public static final int CTRL_VERSION = 1;

    private Netlink() {}

    /** NLMSG_ALIGN / NLA_ALIGN: everything in netlink is padded to 4 bytes. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}
