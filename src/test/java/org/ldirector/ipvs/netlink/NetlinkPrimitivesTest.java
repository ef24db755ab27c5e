package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldirector.ipvs.Family;

/** The writer and parsers on hand-made edge cases the kernel sessions do not contain. */
class NetlinkPrimitivesTest {

    private static ByteBuffer le(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex)).order(ByteOrder.nativeOrder());
    }

    @Test
    void attributesArePaddedTo4ButLengthsExcludeThePadding() {
        MessageWriter w = new MessageWriter(16);
        w.beginGenl(28, 5, 1, 2, 1, 1)
                .beginNest(1)
                .putString(6, "rr")
                .putU16(1, 2)
                .putU8(13, 0)
                .endNest()
                .end();
        // nlmsghdr(16) genl(4) nest hdr(4) "rr\0"(4+3+1 pad) u16(4+2+2 pad) u8(4+1+3 pad)
        assertEquals(
                "30000000"
                        + "1c00"
                        + "0500"
                        + "01000000"
                        + "02000000"
                        + "01010000"
                        + "1c000180"
                        + "07000600"
                        + "72720000"
                        + "06000100"
                        + "02000000"
                        + "05000d00"
                        + "00000000",
                HexFormat.of().formatHex(w.toByteArray()));
    }

    @Test
    void writerGrowsPastItsInitialCapacity() {
        MessageWriter w = new MessageWriter(8);
        for (int i = 0; i < 1000; i++) {
            w.beginGenl(28, 5, i, 0, 1, 1).putU32(1, i).end();
        }
        assertEquals(1000 * 28, w.size());
        assertThrows(IllegalStateException.class, () -> w.beginGenl(28, 5, 0, 0, 1, 1).flip());
    }

    @Test
    void nestedFlagIsNotPartOfTheType() throws Exception {
        Attributes a = Attributes.parse(le("0c000180" + "08000500" + "07000000"));
        assertTrue(a.has(1));
        assertEquals(7, a.nested(1).u32(5));
    }

    @Test
    void truncatedAttributeIsAFormatErrorNamingIt() {
        NetlinkFormatException e =
                assertThrows(
                        NetlinkFormatException.class,
                        () -> Attributes.parse(le("10000500" + "07000000")));
        assertTrue(e.getMessage().contains("attribute type 5 length 16"), e.getMessage());
    }

    @Test
    void missingMandatoryAttributeIsAFormatError() throws Exception {
        Attributes a = Attributes.parse(le("08000500" + "07000000"));
        assertThrows(NetlinkFormatException.class, () -> a.u32(4));
        assertEquals(42, a.u32(4, 42));
    }

    @Test
    void ipv4MappedAddressInAnIpv6FieldStaysIpv6() throws Exception {
        Attributes a =
                Attributes.parse(
                        le("14000300" + "00000000" + "00000000" + "0000ffff" + "0a010203"));
        assertInstanceOf(Inet6Address.class, a.address(3, Family.INET6));
        // An IPv4 address is the first 4 bytes of the same 16-byte field.
        Attributes v4 =
                Attributes.parse(
                        le("14000300" + "0a010203" + "00000000" + "00000000" + "00000000"));
        assertEquals("10.1.2.3", v4.address(3, Family.INET).getHostAddress());
    }

    @Test
    void datagramsSplitIntoMessagesAndBadLengthsAreCaught() throws Exception {
        // Two acks in one datagram (as a pipelined batch may deliver them).
        String ack =
                "24000000"
                        + "0200"
                        + "0001"
                        + "e9030000"
                        + "b6020000"
                        + "00000000"
                        + "20000000"
                        + "10000500"
                        + "e9030000"
                        + "b6020000";
        String err =
                "24000000"
                        + "0200"
                        + "0001"
                        + "ea030000"
                        + "b6020000"
                        + "efffffff"
                        + "20000000"
                        + "10000500"
                        + "ea030000"
                        + "b6020000";
        List<NlMessage> msgs = NlMessage.parseAll(le(ack + err));
        assertEquals(2, msgs.size());
        assertEquals(0, msgs.get(0).errorCode());
        assertEquals(-17, msgs.get(1).errorCode());
        assertEquals(1002, msgs.get(1).seq());
        assertNull(msgs.get(1).extAckMessage());
        assertThrows(
                NetlinkFormatException.class,
                () -> NlMessage.parseAll(le("ff000000" + ack.substring(8))));
    }

    @Test
    void extendedAckTextIsFound() throws Exception {
        // NLM_F_CAPPED|NLM_F_ACK_TLVS, error -22, capped request header, then NLMSGERR_ATTR_MSG
        // "bad".
        String hex =
                "2c000000"
                        + "0200"
                        + "0003"
                        + "01000000"
                        + "02000000"
                        + "eaffffff"
                        + "20000000"
                        + "1c000500"
                        + "01000000"
                        + "02000000"
                        + "08000100"
                        + "62616400";
        NlMessage m = NlMessage.parseAll(le(hex)).get(0);
        assertEquals("bad", m.extAckMessage());
    }

    @Test
    void detachedMessagesSurviveBufferReuse() throws Exception {
        ByteBuffer rx = le("14000000" + "0300" + "0200" + "05000000" + "06000000" + "00000000");
        NlMessage view = NlMessage.parseAll(rx).get(0);
        NlMessage copy = view.detached();
        rx.put(16, (byte) 0x7f);
        assertEquals(0x7f, view.payload().get(0));
        assertEquals(0, copy.payload().get(0));
        assertFalse(copy.payload().isDirect());
    }
}
