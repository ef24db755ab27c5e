package org.ldirector.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VirtualIdTest {
    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void printsLdirectordsVirtualIdAndVirtual() throws Exception {
        VirtualId tcp = VirtualId.service(VirtualId.Protocol.TCP, ip("10.77.9.100"), 80);
        assertEquals("tcp:10.77.9.100:80", tcp.toString());
        assertEquals("10.77.9.100:80", tcp.vip());
        VirtualId six = VirtualId.service(VirtualId.Protocol.UDP, ip("2001:db8:0:0:0:0:0:53"), 53);
        assertEquals("udp:[2001:db8::53]:53", six.toString());
        assertEquals("[2001:db8::53]:53", six.vip());
        assertEquals("fwm:5", VirtualId.mark(5, false).toString());
        assertEquals("fwm6:5", VirtualId.mark(5, true).toString());
        assertEquals("5", VirtualId.mark(5, true).vip());
    }

    @Test
    void aMarkAbove2To31PrintsUnsigned() {
        VirtualId mark = VirtualId.mark(3_000_000_000L, false);
        assertEquals("fwm:3000000000", mark.toString());
        assertEquals("3000000000", mark.vip());
        assertEquals("fwm6:4294967295", VirtualId.mark(VirtualId.MAX_MARK, true).toString());
        // the int the kernel and the config hold, read back as unsigned
        assertEquals(mark, VirtualId.mark(Integer.toUnsignedLong((int) 3_000_000_000L), false));
    }

    @Test
    void tcpAndUdpOnOneAddressAndPortAreTwoVirtualsAndTheirRealsTwoReals() throws Exception {
        VirtualId tcp = VirtualId.service(VirtualId.Protocol.TCP, ip("10.77.0.53"), 53);
        VirtualId udp = VirtualId.service(VirtualId.Protocol.UDP, ip("10.77.0.53"), 53);
        assertNotEquals(tcp, udp);
        assertEquals(tcp.vip(), udp.vip(), "ldirectord's add/delete lines do not tell them apart");
        assertNotEquals(VirtualId.mark(7, false), VirtualId.mark(7, true));
        RealId inTcp = new RealId(tcp, ip("10.77.1.2"), 53);
        RealId inUdp = new RealId(udp, ip("10.77.1.2"), 53);
        assertNotEquals(inTcp, inUdp);
        assertEquals("10.77.1.2:53 (tcp:10.77.0.53:53)", inTcp.toString());
        assertEquals("10.77.1.2:53 (udp:10.77.0.53:53)", inUdp.toString());
        assertEquals("10.77.1.2:53", inUdp.server());

        Map<VirtualId, String> byVirtual = new HashMap<>();
        byVirtual.put(tcp, "tcp");
        byVirtual.put(VirtualId.service(VirtualId.Protocol.UDP, ip("10.77.0.53"), 53), "udp");
        assertEquals(2, byVirtual.size());
        assertEquals(
                "tcp",
                byVirtual.get(VirtualId.service(VirtualId.Protocol.TCP, ip("10.77.0.53"), 53)));
    }

    @Test
    void invalidIdsAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> VirtualId.mark(0, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> VirtualId.mark(VirtualId.MAX_MARK + 1, false));
        assertThrows(IllegalArgumentException.class, () -> VirtualId.mark(-1294967296L, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> VirtualId.service(VirtualId.Protocol.FWM, ip("10.0.0.1"), 80));
        assertThrows(
                IllegalArgumentException.class,
                () -> VirtualId.service(VirtualId.Protocol.TCP, ip("10.0.0.1"), 65536));
        assertThrows(
                IllegalArgumentException.class,
                () -> new VirtualId(VirtualId.Protocol.TCP, true, ip("10.0.0.1"), 80, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new VirtualId(VirtualId.Protocol.TCP, false, ip("10.0.0.1"), 80, 7));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RealId(VirtualId.mark(7, false), ip("10.0.0.2"), -1));
    }
}
