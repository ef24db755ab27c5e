package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ldirector.check.BoundedMatch;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Protocol;
import org.ldirector.config.ServiceType;

class SimpleTcpCheckTest {
    /** A memcached-like peer: reads until the client half-closes, then answers. */
    static ScriptedPeer statsPeer() throws Exception {
        return ScriptedPeer.start(
                c -> {
                    while (c.line() != null) {
                        // the check half-closes after its request, as ldirectord's
                        // shutdown(SHUT_WR)
                    }
                    c.send("STAT pid 4242\r\nSTAT uptime 99\r\nSTAT threads 4\r\nEND\r\n");
                });
    }

    @Test
    void requestHasNewlinesExpandedAndAMatchingLineIsUp() throws Exception {
        try (ScriptedPeer p = statsPeer()) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .request("/stats\\nversion\\n")
                    .receive("^STAT threads \\d+")
                    .assertUp();
            assertEquals(List.of("stats", "version"), p.received());
        }
    }

    @Test
    void receiveIsMatchedLineByLineNotAcrossLines() throws Exception {
        try (ScriptedPeer p = statsPeer()) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .request("/stats\\n")
                    .receive("99.STAT")
                    .assertDown("receive /99.STAT/ not found in 4 lines");
        }
    }

    @Test
    void lineKeepsItsNewlineForTheRegexAsPerlDoes() throws Exception {
        try (ScriptedPeer p = statsPeer()) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .request("/stats\\n")
                    .receive("END\\r\\n$")
                    .assertUp();
        }
    }

    /** ldirectord's Perl: $ stops only before the final \n, so a CRLF line does not end at "99". */
    @Test
    void receiveHasPerlsMeaningOnCrLfLines() throws Exception {
        try (ScriptedPeer p = statsPeer()) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .request("/stats\\n")
                    .receive("uptime 99$")
                    .assertDown("receive /uptime 99$/ not found in 4 lines");
        }
        try (ScriptedPeer p = statsPeer()) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .request("/stats\\n")
                    .receive("^STAT [[:alpha:]]+ [[:digit:]]+.$")
                    .assertUp();
        }
    }

    @Test
    void emptyAnswerIsDownEvenWithEmptyReceive() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> c.line())) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .request("/ping\\n")
                    .assertDown("not found in 0 lines");
        }
    }

    @Test
    void invalidRegexIsDownWithAClearReason() throws Exception {
        try (ScriptedPeer p = statsPeer()) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .receive("(")
                    .assertDown("receive /(/ is not a valid regex");
        }
    }

    @Test
    void udpDatagramAnswerIsMatched() throws Exception {
        try (UdpPeer p =
                new UdpPeer(req -> "pong 1\nready\n".getBytes(StandardCharsets.US_ASCII))) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .protocol(Protocol.UDP)
                    .request("/ping\\n")
                    .receive("^ready")
                    .assertUp();
            assertEquals("ping\n", new String(p.received().get(0), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void udpRefusedByPortUnreachable() {
        Probe.of(ServiceType.SIMPLETCP, Probe.closedUdpPort())
                .protocol(Protocol.UDP)
                .request("/ping")
                .assertDown("connect refused");
    }

    @Test
    void udpSilenceTimesOut() throws Exception {
        try (UdpPeer p = new UdpPeer(req -> null)) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .protocol(Protocol.UDP)
                    .timeout(Duration.ofMillis(400))
                    .assertTimesOut();
        }
    }

    @Test
    void refused() {
        Probe.of(ServiceType.SIMPLETCP, Probe.closedTcpPort()).assertDown("connect refused");
    }

    @Test
    void peerThatNeverAnswersTimesOut() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::stall)) {
            Probe.of(ServiceType.SIMPLETCP, p.port())
                    .request("/x")
                    .timeout(Duration.ofMillis(400))
                    .assertTimesOut();
        }
    }

    /**
     * A peer's long line and a backtracking receive: down with the one reason every check gives.
     */
    @Test
    void aRegexPastItsLimitIsDownWithTheReason() throws Exception {
        String line = "x".repeat(8000) + "\r\n";
        ExecutorService io = Executors.newCachedThreadPool();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            while (c.line() != null) {
                                // until the check half-closes
                            }
                            c.send(line);
                        })) {
            BoundedMatch limit =
                    new BoundedMatch(Duration.ofMillis(50), BoundedMatch.threadCpuTime());
            CheckResult r =
                    new DialogueChecker(
                                    "simpletcp",
                                    new SimpleTcpCheck(),
                                    io,
                                    timer,
                                    System::nanoTime,
                                    limit)
                            .check(
                                    Probe.of(ServiceType.SIMPLETCP, p.port())
                                            .request("/stats\\n")
                                            .receive(".*.*.*OK")
                                            .target())
                            .get(20, TimeUnit.SECONDS);
            assertEquals("receive: regex took more than 50 ms on 8002 bytes", r.reason());
            assertEquals(false, r.up());
        } finally {
            io.shutdownNow();
            timer.shutdownNow();
        }
    }
}
