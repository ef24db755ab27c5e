package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Protocol;
import org.ldirector.config.ServiceType;

/** dns against a real dnsmasq (Debian's dnsmasq-base) serving one host record on loopback. */
class DnsCheckTest {
    static final String DNSMASQ = "/usr/sbin/dnsmasq";
    static Daemon server;
    static int port;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(
                Daemon.installed(DNSMASQ),
                "dnsmasq is not installed (test-fixtures/deps/svc.txt installs dnsmasq-base)");
        Path dir = Daemon.scratch("dns");
        port = Daemon.freePort();
        server =
                Daemon.start(
                                List.of(
                                        DNSMASQ,
                                        "--keep-in-foreground",
                                        "--log-facility=-",
                                        "--conf-file=/dev/null",
                                        "--pid-file=",
                                        "--user=root",
                                        "--port=" + port,
                                        "--listen-address=127.0.0.1",
                                        "--bind-interfaces",
                                        "--no-resolv",
                                        "--no-hosts",
                                        "--local=/example.test/",
                                        "--host-record=www.example.test,192.0.2.10"),
                                dir.resolve("dnsmasq.log"))
                        .awaitPort(port, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Probe probe() {
        return Probe.of(ServiceType.DNS, port).protocol(Protocol.UDP);
    }

    @Test
    void aRecordMatchingReceiveIsUp() {
        probe().request("/www.example.test").receive("^192\\.0\\.2\\.10$").assertUp();
    }

    @Test
    void ipRequestIsAskedAsPtr() {
        probe().request("/192.0.2.10").receive("^www\\.example\\.test$").assertUp();
    }

    @Test
    void overTcpOnATcpVirtual() {
        probe().protocol(Protocol.TCP)
                .request("/www.example.test")
                .receive("192.0.2.10")
                .assertUp();
    }

    @Test
    void answerNotMatchingReceiveIsDown() {
        probe().request("/www.example.test")
                .receive("^10\\.")
                .assertDown("receive /^10\\./ not found in 192.0.2.10");
    }

    @Test
    void emptyReceiveNeverMatchesAsInLdirectord() {
        probe().request("/www.example.test").assertDown("receive // not found");
    }

    @Test
    void unknownNameIsDown() {
        probe().request("/nope.example.test")
                .receive(".")
                .assertDown("dns A nope.example.test: rcode 3");
    }

    @Test
    void refusedByPortUnreachable() {
        probe().port(Probe.closedUdpPort())
                .request("/www.example.test")
                .receive(".")
                .assertDown("connect refused");
    }

    @Test
    void tcpRefused() {
        probe().protocol(Protocol.TCP)
                .port(Probe.closedTcpPort())
                .request("/www.example.test")
                .receive(".")
                .assertDown("connect refused");
    }

    @Test
    void truncatedUdpAnswerIsRetriedOverTcpAsNetDnsDoes() throws Exception {
        try (UdpPeer udp =
                        new UdpPeer(
                                req -> {
                                    byte[] tc = Arrays.copyOf(req, req.length);
                                    tc[2] = (byte) (0x80 | 0x02 | 0x01); // QR, TC, RD
                                    return tc;
                                });
                ScriptedPeer tcp =
                        ScriptedPeer.startOn(
                                udp.port(),
                                c -> {
                                    DataInputStream in = new DataInputStream(c.in());
                                    byte[] q = new byte[in.readUnsignedShort()];
                                    in.readFully(q);
                                    ByteArrayOutputStream a = new ByteArrayOutputStream();
                                    a.writeBytes(Arrays.copyOf(q, 12));
                                    a.writeBytes(Arrays.copyOfRange(q, 12, q.length));
                                    a.writeBytes(
                                            new byte[] {
                                                (byte) 0xc0,
                                                12,
                                                0,
                                                1,
                                                0,
                                                1,
                                                0,
                                                0,
                                                0,
                                                60,
                                                0,
                                                4,
                                                (byte) 192,
                                                0,
                                                2,
                                                77
                                            });
                                    byte[] ans = a.toByteArray();
                                    ans[2] = (byte) 0x81;
                                    ans[3] = (byte) 0x80;
                                    ans[7] = 1; // one answer
                                    c.send(
                                            new byte[] {
                                                (byte) (ans.length >> 8), (byte) ans.length
                                            });
                                    c.send(ans);
                                })) {
            assertEquals(
                    udp.port(),
                    tcp.port(),
                    "one port number for both transports, as a DNS server has");
            probe().port(udp.port())
                    .request("/big.example.test")
                    .receive("192\\.0\\.2\\.77")
                    .assertUp();
        }
    }

    @Test
    void lostUdpQueryIsSentAgain() throws Exception {
        // drops the first query and relays the rest to dnsmasq, as a lossy path would
        AtomicInteger seen = new AtomicInteger();
        try (DatagramSocket upstream = new DatagramSocket();
                UdpPeer lossy =
                        new UdpPeer(
                                req -> {
                                    if (seen.getAndIncrement() == 0) {
                                        return null;
                                    }
                                    try {
                                        upstream.connect(Probe.LOOPBACK, port);
                                        upstream.send(new DatagramPacket(req, req.length));
                                        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
                                        upstream.receive(p);
                                        return Arrays.copyOf(p.getData(), p.getLength());
                                    } catch (IOException e) {
                                        return null;
                                    }
                                })) {
            ExecutorService io = Executors.newCachedThreadPool();
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            try {
                CheckResult r =
                        new DialogueChecker(
                                        "dns",
                                        new DnsCheck(Duration.ofMillis(200)),
                                        io,
                                        timer,
                                        System::nanoTime)
                                .check(
                                        probe().port(lossy.port())
                                                .request("/www.example.test")
                                                .receive("192.0.2.10")
                                                .target())
                                .get(10, TimeUnit.SECONDS);
                assertTrue(r.up(), r.reason());
                assertEquals(2, lossy.received().size(), "one retransmission");
            } finally {
                io.shutdownNow();
                timer.shutdownNow();
            }
        }
    }

    @Test
    void ipv6RequestIsAskedInIp6Arpa() throws Exception {
        assertEquals(
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
                DnsCheck.reverseName(InetAddress.getByName("2001:db8::1")));
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (UdpPeer p = new UdpPeer(req -> null)) {
            probe().port(p.port())
                    .request("/www.example.test")
                    .receive(".")
                    .timeout(Duration.ofMillis(400))
                    .assertTimesOut();
        }
    }
}
