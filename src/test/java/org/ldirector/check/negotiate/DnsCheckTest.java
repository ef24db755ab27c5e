package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldirector.config.Protocol;
import org.ldirector.config.ServiceType;

/** dns against a real dnsmasq (Debian's dnsmasq-base) serving one host record on loopback. */
class DnsCheckTest {
    static final String DNSMASQ = "/usr/sbin/dnsmasq";
    static Daemon server;
    static int port;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(Daemon.installed(DNSMASQ), "dnsmasq is not installed (test-fixtures/deps/svc.txt installs dnsmasq-base)");
        Path dir = Daemon.scratch("dns");
        port = Daemon.freePort();
        server = Daemon.start(List.of(DNSMASQ, "--keep-in-foreground", "--log-facility=-", "--conf-file=/dev/null",
                "--pid-file=", "--user=root", "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--local=/example.test/",
                "--host-record=www.example.test,192.0.2.10"), dir.resolve("dnsmasq.log"))
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
        probe().protocol(Protocol.TCP).request("/www.example.test").receive("192.0.2.10").assertUp();
    }

    @Test
    void answerNotMatchingReceiveIsDown() {
        probe().request("/www.example.test").receive("^10\\.").assertDown("receive /^10\\./ not found in 192.0.2.10");
    }

    @Test
    void emptyReceiveNeverMatchesAsInLdirectord() {
        probe().request("/www.example.test").assertDown("receive // not found");
    }

    @Test
    void unknownNameIsDown() {
        probe().request("/nope.example.test").receive(".").assertDown("dns A nope.example.test: rcode 3");
    }

    @Test
    void refusedByPortUnreachable() {
        probe().port(Probe.closedUdpPort()).request("/www.example.test").receive(".").assertDown("connect refused");
    }

    @Test
    void tcpRefused() {
        probe().protocol(Protocol.TCP).port(Probe.closedTcpPort()).request("/www.example.test").receive(".").assertDown("connect refused");
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (UdpPeer p = new UdpPeer(req -> null)) {
            probe().port(p.port()).request("/www.example.test").receive(".").timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }
}
