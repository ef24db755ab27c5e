package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldirector.config.ServiceType;

class NntpCheckTest {
    @Test
    void postingAllowedGreetingIsUpAndNothingIsSent() throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            c.send(
                                    "200 news.example.test InterNetNews NNRP server INN 2.7.1 ready"
                                            + " (posting ok)\r\n");
                            c.line();
                        })) {
            Probe.of(ServiceType.NNTP, p.port()).assertUp();
            assertEquals(List.of(), p.received(), "ldirectord sends nothing, not even QUIT");
        }
    }

    @Test
    void noPostingGreetingIsUp() throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(c -> c.send("201 news.example.test ready (no posting)\r\n"))) {
            Probe.of(ServiceType.NNTP, p.port()).assertUp();
        }
    }

    @Test
    void serviceUnavailableIsDown() throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(c -> c.send("400 news.example.test: load too high\r\n"))) {
            Probe.of(ServiceType.NNTP, p.port())
                    .assertDown("banner 400 news.example.test: load too high from nntp");
        }
    }

    @Test
    void hangupIsDown() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> {})) {
            Probe.of(ServiceType.NNTP, p.port()).assertDown("closed before greeting");
        }
    }

    @Test
    void refused() {
        Probe.of(ServiceType.NNTP, Probe.closedTcpPort()).assertDown("connect refused");
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::hold)) {
            Probe.of(ServiceType.NNTP, p.port()).timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }
}
