package org.ldirector.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NativeSocketTest {

    @Test
    void udpLoopbackRoundTripReportsSenderAndHonoursBufferPosition() throws Exception {
        try (NativeSocket s = NativeSocket.open(Sock.AF_INET, Sock.SOCK_DGRAM, 0)) {
            s.bind(SockAddr.inet(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)));
            SockAddr self = s.localAddress();
            assertNotEquals(0, self.toInetSocketAddress().getPort());

            ByteBuffer out = ByteBuffer.wrap("xxhello".getBytes(StandardCharsets.US_ASCII));
            out.position(2);
            assertEquals(5, s.sendTo(out, self));
            assertEquals(7, out.position());

            ByteBuffer in = ByteBuffer.allocate(64);
            in.put((byte) '>');
            NativeSocket.Received r = s.receive(in, Duration.ofSeconds(5)).orElseThrow();
            assertEquals(5, r.length());
            assertEquals(self, r.from());
            assertEquals(
                    ">hello", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void ipv6LoopbackAddressSurvivesTheRoundTrip() throws Exception {
        try (NativeSocket s = NativeSocket.open(Sock.AF_INET6, Sock.SOCK_DGRAM, 0)) {
            s.bind(SockAddr.inet(new InetSocketAddress(InetAddress.getByName("::1"), 0)));
            InetSocketAddress self = s.localAddress().toInetSocketAddress();
            assertEquals(InetAddress.getByName("::1"), self.getAddress());
            s.sendTo(ByteBuffer.wrap(new byte[] {1, 2, 3}), SockAddr.inet(self));
            ByteBuffer in = ByteBuffer.allocate(8);
            assertEquals(3, s.receive(in, Duration.ofSeconds(5)).orElseThrow().length());
        }
    }

    @Test
    void receiveTimesOutWithEmptyResult() throws Exception {
        try (NativeSocket s = NativeSocket.open(Sock.AF_INET, Sock.SOCK_DGRAM, 0)) {
            s.bind(SockAddr.inet(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)));
            Optional<NativeSocket.Received> r =
                    s.receive(ByteBuffer.allocate(8), Duration.ofMillis(1));
            assertTrue(r.isEmpty());
        }
    }

    @Test
    void oversizedDatagramIsAnErrorNotSilentTruncation() throws Exception {
        try (NativeSocket s = NativeSocket.open(Sock.AF_INET, Sock.SOCK_DGRAM, 0)) {
            s.bind(SockAddr.inet(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)));
            s.sendTo(ByteBuffer.wrap(new byte[100]), s.localAddress());
            NativeException e =
                    assertThrows(
                            NativeException.class,
                            () -> s.receive(ByteBuffer.allocate(10), Duration.ofSeconds(5)));
            assertEquals(Errno.EMSGSIZE, e.errno());
        }
    }

    @Test
    void abstractUnixDatagramWorksLikeSdNotify() throws Exception {
        String name = "@ldirector-test-" + ProcessHandle.current().pid();
        try (NativeSocket server = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0);
                NativeSocket client = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0)) {
            server.bind(SockAddr.unix(name));
            client.sendTo(
                    ByteBuffer.wrap("READY=1".getBytes(StandardCharsets.US_ASCII)),
                    SockAddr.unix(name));
            ByteBuffer in = ByteBuffer.allocate(64);
            server.receive(in, Duration.ofSeconds(5)).orElseThrow();
            assertEquals(
                    "READY=1", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void netlinkBindGetsAPortIdFromTheKernel() throws Exception {
        try (NativeSocket s =
                NativeSocket.open(Sock.AF_NETLINK, Sock.SOCK_RAW, Sock.NETLINK_ROUTE)) {
            s.bind(SockAddr.netlink(0, 0));
            SockAddr local = s.localAddress();
            assertEquals(Sock.AF_NETLINK, local.family());
            assertNotEquals(0, local.netlinkPortId());
        }
    }

    @Test
    void socketOptionsRoundTrip() throws Exception {
        try (NativeSocket s = NativeSocket.open(Sock.AF_INET, Sock.SOCK_DGRAM, 0)) {
            s.setsockopt(Sock.SOL_IP, Sock.IP_TTL, 7);
            assertEquals(7, s.getsockoptInt(Sock.SOL_IP, Sock.IP_TTL));
        }
    }

    @Test
    void failuresCarryErrnoAndReadableText() {
        NativeException e =
                assertThrows(
                        NativeException.class, () -> NativeSocket.open(9999, Sock.SOCK_DGRAM, 0));
        assertEquals(Errno.EAFNOSUPPORT, e.errno());
        assertTrue(e.getMessage().contains("EAFNOSUPPORT"), e.getMessage());
    }

    @Test
    void closedHandleRefusesUseAndCloseIsIdempotent() throws Exception {
        NativeSocket s = NativeSocket.open(Sock.AF_INET, Sock.SOCK_DGRAM, 0);
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.setsockopt(Sock.SOL_IP, Sock.IP_TTL, 1));
    }

    @Test
    void sockaddrLayoutsMatchTheKernelStructs() throws Exception {
        // sockaddr_in: family host order, port network order (0x1f90 = 8080), address, 8 zero
        // bytes.
        byte[] in4 =
                SockAddr.inet(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 8080))
                        .bytes();
        assertArrayEquals(
                new byte[] {2, 0, 0x1f, (byte) 0x90, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}, in4);
        assertEquals(
                28,
                SockAddr.inet(new InetSocketAddress(InetAddress.getByName("::1"), 1))
                        .bytes()
                        .length);
        assertArrayEquals(
                new byte[] {16, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0}, SockAddr.netlink(5, 0).bytes());
        // Abstract unix names have a leading NUL and no trailing one; paths are NUL-terminated.
        assertArrayEquals(new byte[] {1, 0, 0, 'a'}, SockAddr.unix("@a").bytes());
        assertArrayEquals(new byte[] {1, 0, '/', 'a', 0}, SockAddr.unix("/a").bytes());
    }
}
