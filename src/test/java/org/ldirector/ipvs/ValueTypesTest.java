package org.ldirector.ipvs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.ldirector.net.VirtualId;

class ValueTypesTest {

    @Test
    void serviceKeysNameThemselvesForOperators() throws Exception {
        assertEquals(
                "10.0.0.1:80/tcp",
                ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.0.0.1"), 80).toString());
        assertEquals(
                "[2001:db8::1]:443/sctp",
                ServiceKey.of(IpvsProtocol.SCTP, InetAddress.getByName("2001:db8:0::1"), 443)
                        .toString());
        assertEquals("fwmark 7", ServiceKey.fwmark(7, Family.INET).toString());
        assertEquals(
                "fwmark 3000000000/IPv6",
                ServiceKey.fwmark((int) 3_000_000_000L, Family.INET6).toString());
    }

    @Test
    void aKernelKeyIsTheVirtualIdSeenWithIpvsNumbers() throws Exception {
        // a mark read back from the kernel as a (negative) int equals the configured unsigned mark
        ServiceKey fromKernel = ServiceKey.fwmark((int) 3_000_000_000L, Family.INET);
        assertEquals(new ServiceKey(VirtualId.mark(3_000_000_000L, false)), fromKernel);
        assertEquals((int) 3_000_000_000L, fromKernel.fwmark());
        assertEquals("fwm:3000000000", fromKernel.id().toString());
        ServiceKey udp = ServiceKey.of(IpvsProtocol.UDP, InetAddress.getByName("10.0.0.53"), 53);
        assertEquals(
                new ServiceKey(
                        VirtualId.service(
                                VirtualId.Protocol.UDP, InetAddress.getByName("10.0.0.53"), 53)),
                udp);
        assertNotEquals(
                ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.0.0.53"), 53), udp);
        assertEquals(IpvsProtocol.UDP, udp.protocol());
        assertEquals(
                Family.INET6,
                ServiceKey.of(IpvsProtocol.SCTP, InetAddress.getByName("2001:db8::1"), 9).family());
    }

    @Test
    void invalidKeysAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> ServiceKey.fwmark(0, Family.INET));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new ServiceKey(
                                new VirtualId(
                                        VirtualId.Protocol.TCP,
                                        true,
                                        InetAddress.getByName("10.0.0.1"),
                                        80,
                                        0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.0.0.1"), 65536));
    }

    @Test
    void servicesHaveIpvsadmDefaultsAndRefuseKernelOnlyFlags() throws Exception {
        ServiceKey v4 = ServiceKey.of(IpvsProtocol.UDP, InetAddress.getByName("10.0.0.1"), 53);
        assertEquals(new VirtualService(v4, "wlc", 0, 0, 0xffffffff), VirtualService.of(v4, "wlc"));
        assertEquals(128, VirtualService.of(ServiceKey.fwmark(1, Family.INET6), "rr").netmask());
        assertThrows(
                IllegalArgumentException.class,
                () -> new VirtualService(v4, "rr", VirtualService.F_HASHED, 0, -1));
        assertThrows(
                IllegalArgumentException.class,
                () -> VirtualService.of(v4, "a-scheduler-name-too-long"));
        VirtualService p = VirtualService.of(v4, "rr").persistent(300, 0xffffff00).onePacket();
        assertEquals(VirtualService.F_PERSISTENT | VirtualService.F_ONEPACKET, p.flags());
    }

    @Test
    void forwardingKeywordsAreLdirectordsAndCodesTheKernels() {
        assertEquals(Forwarding.ROUTE, Forwarding.ofKeyword("gate"));
        assertEquals(Forwarding.MASQ, Forwarding.ofKeyword("masq"));
        assertEquals(Forwarding.TUNNEL, Forwarding.ofKeyword("ipip"));
        assertThrows(IllegalArgumentException.class, () -> Forwarding.ofKeyword("dr"));
        assertEquals(Forwarding.ROUTE, Forwarding.ofCode(3 | 0x100));
    }
}
