package org.ldirector.ipvs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldirector.net.InetText;

/**
 * The renderer against text the real ipvsadm printed for the same table (resources/.../ipvsadm).
 */
class IpvsadmFormatTest {

    private static String golden(String name) throws IOException {
        try (InputStream in = IpvsadmFormatTest.class.getResourceAsStream("ipvsadm/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InetAddress ip(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    /** Table "a.rules", built through the IpvsTable port. */
    private static InMemoryIpvsTable tableA() throws Exception {
        InMemoryIpvsTable t = new InMemoryIpvsTable();
        ServiceKey tcp = ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.1"), 80);
        ServiceKey tcp6 = ServiceKey.of(IpvsProtocol.TCP, ip("2001:db8::1"), 443);
        ServiceKey fwm7 = ServiceKey.fwmark(7, Family.INET);
        t.addService(VirtualService.of(tcp, "wlc"));
        t.addDestination(tcp, Destination.of(ip("10.0.1.1"), 80, Forwarding.ROUTE, 3));
        t.addDestination(tcp, new Destination(ip("10.0.1.2"), 8080, Forwarding.MASQ, 0, 100, 10));
        t.addDestination(tcp, Destination.of(ip("10.0.1.3"), 80, Forwarding.TUNNEL, 1));
        t.addService(
                VirtualService.of(ServiceKey.of(IpvsProtocol.UDP, ip("10.0.0.2"), 53), "rr")
                        .persistent(300, 0xffffff00));
        t.addService(
                VirtualService.of(tcp6, "sh")
                        .withSchedulerFlags(VirtualService.F_SCHED1 | VirtualService.F_SCHED2)
                        .persistent(60, 64));
        t.addDestination(tcp6, Destination.of(ip("2001:db8::10"), 443, Forwarding.ROUTE, 2));
        t.addService(VirtualService.of(fwm7, "lc"));
        t.addService(VirtualService.of(ServiceKey.fwmark(8, Family.INET6), "lc").onePacket());
        t.addService(
                VirtualService.of(ServiceKey.of(IpvsProtocol.SCTP, ip("10.0.0.3"), 9000), "rr"));
        t.addDestination(fwm7, Destination.of(ip("10.0.1.5"), 0, Forwarding.ROUTE, 1));
        t.addService(
                VirtualService.of(ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.4"), 80), "wrr")
                        .persistent(360));
        t.addService(
                VirtualService.of(ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.5"), 80), "rr")
                        .withSchedulerFlags(VirtualService.F_SCHED1 | VirtualService.F_SCHED3));
        return t;
    }

    @Test
    void listMatchesIpvsadmLn() throws Exception {
        assertEquals(golden("a.Ln"), tableA().listText());
    }

    @Test
    void saveMatchesIpvsadmSn() throws Exception {
        assertEquals(golden("a.Sn"), tableA().saveText());
    }

    @Test
    void emptyTable() throws Exception {
        InMemoryIpvsTable t = new InMemoryIpvsTable();
        assertEquals(golden("empty.Ln"), t.listText());
        assertEquals(golden("empty.Sn"), t.saveText());
    }

    @Test
    void sortingReproducesLibipvsWrappingComparison() throws Exception {
        // ipvs_cmp_dests subtracts 32-bit addresses into an int: 200.x - 10.x wraps negative, so
        // 200.0.0.9 sorts before 10.0.0.9 (observed in ipvsadm -Ln output, b.rules in UML).
        ServiceKey key = ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.1"), 80);
        List<DestinationEntry> kernelOrder =
                List.of(
                        DestinationEntry.idle(
                                Destination.of(ip("9.0.0.9"), 80, Forwarding.MASQ, 1)),
                        DestinationEntry.idle(
                                Destination.of(ip("127.0.0.2"), 80, Forwarding.MASQ, 1)),
                        DestinationEntry.idle(
                                Destination.of(ip("130.0.0.9"), 80, Forwarding.MASQ, 65535)),
                        DestinationEntry.idle(
                                Destination.of(ip("10.0.0.9"), 79, Forwarding.MASQ, 1)),
                        DestinationEntry.idle(
                                Destination.of(ip("10.0.0.9"), 80, Forwarding.MASQ, 1)),
                        DestinationEntry.idle(
                                Destination.of(ip("200.0.0.9"), 80, Forwarding.MASQ, 1)));
        String saved =
                IpvsadmFormat.save(
                        List.of(
                                new ServiceDump(
                                        new ServiceEntry(VirtualService.of(key, "rr"), Stats.ZERO),
                                        kernelOrder)));
        assertEquals(
                """
                -A -t 10.0.0.1:80 -s rr
                -a -t 10.0.0.1:80 -r 200.0.0.9:80 -m -w 1
                -a -t 10.0.0.1:80 -r 9.0.0.9:80 -m -w 1
                -a -t 10.0.0.1:80 -r 10.0.0.9:79 -m -w 1
                -a -t 10.0.0.1:80 -r 10.0.0.9:80 -m -w 1
                -a -t 10.0.0.1:80 -r 127.0.0.2:80 -m -w 1
                -a -t 10.0.0.1:80 -r 130.0.0.9:80 -m -w 65535
                """,
                saved);
    }

    @Test
    void ipv6TextIsInetNtopCompressed() throws Exception {
        assertEquals("2001:db8::1", InetText.ntop(ip("2001:0db8:0:0:0:0:0:1")));
        assertEquals("::1", InetText.ntop(ip("::1")));
        assertEquals("::", InetText.ntop(ip("::")));
        assertEquals("fe80::1:0:0:1", InetText.ntop(ip("fe80:0:0:0:1:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", InetText.ntop(ip("2001:db8:0:1:1:1:1:1")));
        assertEquals("1::", InetText.ntop(ip("1:0:0:0:0:0:0:0")));
        assertEquals(
                "::ffff:10.1.2.3",
                InetText.ntop(
                        Inet6Address.getByAddress(
                                null,
                                new byte[] {
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    (byte) 0xff,
                                    (byte) 0xff,
                                    10,
                                    1,
                                    2,
                                    3
                                },
                                -1)));
        assertEquals(
                "::10.1.2.3",
                InetText.ntop(
                        Inet6Address.getByAddress(
                                null,
                                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 3},
                                -1)));
    }
}
