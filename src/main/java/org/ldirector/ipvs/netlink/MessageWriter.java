package org.ldirector.ipvs.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Appends netlink messages to a growing buffer. Header fields and attribute values are host byte
 * order; callers write network-order values (ports, IPv4 netmasks) with {@link #putBe16}. Several
 * messages may be appended back to back: the kernel processes each in turn and acks each.
 */
public final class MessageWriter {
    private ByteBuffer buf;
    private int messageStart = -1;
    private final Deque<Integer> nests = new ArrayDeque<>();

    public MessageWriter(int initialCapacity) {
        buf = ByteBuffer.allocate(initialCapacity).order(ByteOrder.nativeOrder());
    }

    /** Starts a generic-netlink message: nlmsghdr + genlmsghdr {cmd, version, reserved}. */
    public MessageWriter beginGenl(int type, int flags, int seq, int portId, int cmd, int version) {
        if (messageStart >= 0) {
            throw new IllegalStateException("previous message not ended");
        }
        ensure(Netlink.NLMSG_HDRLEN + Netlink.GENL_HDRLEN);
        messageStart = buf.position();
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId);
        buf.put((byte) cmd).put((byte) version).putShort((short) 0);
        return this;
    }

    /** Fills in nlmsg_len. */
    public MessageWriter end() {
        if (!nests.isEmpty()) {
            throw new IllegalStateException("unclosed nested attribute");
        }
        buf.putInt(messageStart, buf.position() - messageStart);
        messageStart = -1;
        return this;
    }

    /**
     * Opens a nested attribute. NLA_F_NESTED is set as libnl (and so ipvsadm) sets it; the IPVS
     * family does not require it, but strict validators would.
     */
    public MessageWriter beginNest(int type) {
        ensure(Netlink.NLA_HDRLEN);
        nests.push(buf.position());
        buf.putShort((short) 0).putShort((short) (type | Netlink.NLA_F_NESTED));
        return this;
    }

    public MessageWriter endNest() {
        int start = nests.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    public MessageWriter putU8(int type, int value) {
        return attr(type, 1).put((byte) value).padTo4();
    }

    public MessageWriter putU16(int type, int value) {
        return attr(type, 2).putShortRaw(value).padTo4();
    }

    /** A 16-bit value in network byte order (ports). */
    public MessageWriter putBe16(int type, int value) {
        attr(type, 2);
        buf.put((byte) (value >>> 8)).put((byte) value);
        return padTo4();
    }

    public MessageWriter putU32(int type, int value) {
        attr(type, 4);
        buf.putInt(value);
        return this;
    }

    /** A 32-bit value in network byte order (IPv4 netmasks). */
    public MessageWriter putBe32(int type, int value) {
        attr(type, 4);
        buf.put((byte) (value >>> 24))
                .put((byte) (value >>> 16))
                .put((byte) (value >>> 8))
                .put((byte) value);
        return this;
    }

    public MessageWriter putBytes(int type, byte[] value) {
        attr(type, value.length);
        buf.put(value);
        return padTo4();
    }

    /** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING both accept the NUL). */
    public MessageWriter putString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        attr(type, s.length + 1);
        buf.put(s).put((byte) 0);
        return padTo4();
    }

    /** Raw struct payload, e.g. struct ip_vs_flags {u32 flags; u32 mask}. */
    public MessageWriter putU32Pair(int type, int first, int second) {
        attr(type, 8);
        buf.putInt(first).putInt(second);
        return this;
    }

    public int size() {
        return buf.position();
    }

    /** The bytes written so far, ready to send (position 0, limit = size). */
    public ByteBuffer flip() {
        if (messageStart >= 0) {
            throw new IllegalStateException("message not ended");
        }
        ByteBuffer out = buf.duplicate().flip();
        return out.order(ByteOrder.nativeOrder());
    }

    public byte[] toByteArray() {
        ByteBuffer b = flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    public void clear() {
        buf.clear();
        messageStart = -1;
        nests.clear();
    }

    private MessageWriter attr(int type, int payloadLength) {
        ensure(Netlink.NLA_HDRLEN + Netlink.align(payloadLength));
        buf.putShort((short) (Netlink.NLA_HDRLEN + payloadLength)).putShort((short) type);
        return this;
    }

    private MessageWriter put(byte b) {
        buf.put(b);
        return this;
    }

    private MessageWriter putShortRaw(int v) {
        buf.putShort((short) v);
        return this;
    }

    /** nla_len excludes the padding, but the next attribute starts 4-aligned: pad with zeros. */
    private MessageWriter padTo4() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
        return this;
    }

    private void ensure(int more) {
        if (buf.remaining() < more + 64) {
            ByteBuffer bigger =
                    ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64))
                            .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
