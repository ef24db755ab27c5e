package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldirector.config.ServiceType;

/** ftp against a real pyftpdlib server (Debian's python3-pyftpdlib) on loopback. */
class FtpCheckTest {
    static final String PYTHON = "/usr/bin/python3";
    static Daemon server;
    static int port;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(
                Daemon.installed(PYTHON)
                        && Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/pyftpdlib")),
                "python3-pyftpdlib is not installed (test-fixtures/deps/svc.txt installs it)");
        Path root = Daemon.scratch("ftp");
        Files.writeString(root.resolve("health.txt"), "status: all systems go\n");
        port = Daemon.freePort();
        server =
                Daemon.start(
                                List.of(
                                        PYTHON,
                                        "-m",
                                        "pyftpdlib",
                                        "-i",
                                        "127.0.0.1",
                                        "-p",
                                        Integer.toString(port),
                                        "-d",
                                        root.toString(),
                                        "-u",
                                        "checker",
                                        "-P",
                                        "s3cret"),
                                root.resolveSibling("ftp.log"))
                        .awaitPort(port, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Probe probe() {
        return Probe.of(ServiceType.FTP, port).login("checker", "s3cret").request("/health.txt");
    }

    @Test
    void retrievedFileMatchingReceiveIsUp() {
        probe().receive("all systems go").assertUp();
    }

    @Test
    void emptyReceiveNeedsOnlyACompleteTransfer() {
        probe().assertUp();
    }

    @Test
    void fileWithoutReceiveIsDown() {
        probe().receive("maintenance").assertDown("receive /maintenance/ not found in 23 bytes");
    }

    @Test
    void missingFileIsDown() {
        probe().request("/nope.txt").assertDown("RETR /nope.txt refused: 550");
    }

    @Test
    void badPasswordIsDown() {
        // pyftpdlib, like vsftpd, answers a failed login only after a delay (3 s) against guessing
        probe().login("checker", "wrong-pw")
                .timeout(Duration.ofSeconds(6))
                .assertDown("LOGIN rejected: 530");
    }

    @Test
    void ipv6RealUsesEpsv() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        Path root = Daemon.scratch("ftp6");
        Files.writeString(root.resolve("health.txt"), "v6 ok\n");
        int port6 = Daemon.freePort();
        try (Daemon six =
                Daemon.start(
                        List.of(
                                PYTHON,
                                "-m",
                                "pyftpdlib",
                                "-i",
                                "::1",
                                "-p",
                                Integer.toString(port6),
                                "-d",
                                root.toString(),
                                "-u",
                                "checker",
                                "-P",
                                "s3cret"),
                        root.resolveSibling("ftp6.log"))) {
            six.awaitPort(v6, port6, Duration.ofSeconds(20));
            probe().address(v6).port(port6).receive("^v6 ok").assertUp();
        }
    }

    @Test
    void refused() {
        Probe.of(ServiceType.FTP, Probe.closedTcpPort()).assertDown("connect refused");
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::hold)) {
            Probe.of(ServiceType.FTP, p.port()).timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }

    @Test
    void stalledDataConnectionTimesOut() throws Exception {
        // a server that opens passive mode but never sends the file: the data read hits the
        // deadline
        try (ServerSocket data = new ServerSocket(0, 1, Probe.LOOPBACK);
                ScriptedPeer p =
                        ScriptedPeer.start(
                                c -> {
                                    c.send("220 (vsFTPd 3.0.3)\r\n");
                                    c.line();
                                    c.send("331 Please specify the password.\r\n");
                                    c.line();
                                    c.send("230 Login successful.\r\n");
                                    c.line();
                                    c.send("250 Directory successfully changed.\r\n");
                                    c.line();
                                    c.send("200 Switching to Binary mode.\r\n");
                                    c.line();
                                    int dp = data.getLocalPort();
                                    c.send(
                                            "227 Entering Passive Mode (127,0,0,1,"
                                                    + (dp >> 8)
                                                    + ","
                                                    + (dp & 0xff)
                                                    + ").\r\n");
                                    c.line();
                                    c.send(
                                            "150 Opening BINARY mode data connection for"
                                                    + " /health.txt (23 bytes).\r\n");
                                    c.hold();
                                })) {
            probe().port(p.port()).timeout(Duration.ofMillis(600)).assertTimesOut();
        }
    }
}
