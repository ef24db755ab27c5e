package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldirector.config.Protocol;
import org.ldirector.config.ServiceType;

class SipCheckTest {
    /** Asterisk-style answer to OPTIONS, echoing the request's headers as RFC 3261 wants. */
    static String answer(String request, String status) {
        StringBuilder b = new StringBuilder("SIP/2.0 " + status + "\r\n");
        for (String h : request.split("\r\n")) {
            if (h.startsWith("Via:")
                    || h.startsWith("From:")
                    || h.startsWith("Call-ID:")
                    || h.startsWith("CSeq:")) {
                b.append(h).append("\r\n");
            } else if (h.startsWith("To:")) {
                b.append(h).append(";tag=as1b2c3d4\r\n");
            }
        }
        return b.append(
                        "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\n"
                                + "Accept: application/sdp\r\n"
                                + "Content-Length: 0\r\n\r\n")
                .toString();
    }

    static UdpPeer udp(String status) throws Exception {
        return new UdpPeer(
                req ->
                        answer(new String(req, StandardCharsets.ISO_8859_1), status)
                                .getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void udpOptions200IsUpAndTheRequestIsLdirectords() throws Exception {
        try (UdpPeer p = udp("200 OK")) {
            Probe.of(ServiceType.SIP, p.port())
                    .protocol(Protocol.UDP)
                    .login("ldirectord@director.example.test", "")
                    .assertUp();
            String[] req =
                    new String(p.received().get(0), StandardCharsets.ISO_8859_1).split("\r\n", -1);
            assertEquals("OPTIONS sip:ldirectord@director.example.test SIP/2.0", req[0]);
            assertTrue(
                    req[1].matches(
                            "Via: SIP/2.0/UDP 127\\.0\\.0\\.1:\\d+;branch=z9hG4bKhjhs8ass877"),
                    req[1]);
            assertEquals(
                    List.of(
                            "Max-Forwards: 70",
                            "To: <sip:ldirectord@director.example.test>",
                            "From: <sip:ldirectord@director.example.test>;tag=1928301774"),
                    List.of(req[2], req[3], req[4]));
            assertTrue(req[5].matches("Call-ID: [0-9a-f]{16}"), req[5]);
            assertEquals(
                    List.of(
                            "CSeq: 63104 OPTIONS",
                            "Contact: <sip:ldirectord@director.example.test>",
                            "Accept: application/sdp",
                            "Content-Length: 0",
                            "",
                            ""),
                    List.of(req).subList(6, 12));
        }
    }

    @Test
    void udpNon200IsDown() throws Exception {
        try (UdpPeer p = udp("404 Not Found")) {
            Probe.of(ServiceType.SIP, p.port())
                    .protocol(Protocol.UDP)
                    .login("x@y", "")
                    .assertDown("sip answered SIP/2.0 404 Not Found");
        }
    }

    @Test
    void udpRefused() {
        Probe.of(ServiceType.SIP, Probe.closedUdpPort())
                .protocol(Protocol.UDP)
                .login("x@y", "")
                .assertDown("connect refused");
    }

    @Test
    void udpSilenceTimesOut() throws Exception {
        try (UdpPeer p = new UdpPeer(req -> null)) {
            Probe.of(ServiceType.SIP, p.port())
                    .protocol(Protocol.UDP)
                    .timeout(Duration.ofMillis(400))
                    .assertTimesOut();
        }
    }

    static ScriptedPeer tcp(String status) throws Exception {
        return ScriptedPeer.start(
                c -> {
                    StringBuilder req = new StringBuilder();
                    for (String l = c.line(); l != null && !l.isEmpty(); l = c.line()) {
                        req.append(l).append("\r\n");
                    }
                    c.send(answer(req.toString(), status));
                });
    }

    @Test
    void tcpOptions200IsUp() throws Exception {
        try (ScriptedPeer p = tcp("200 OK")) {
            Probe.of(ServiceType.SIP, p.port()).login("a@b", "").assertUp();
        }
    }

    @Test
    void tcpServerErrorIsDown() throws Exception {
        try (ScriptedPeer p = tcp("503 Service Unavailable")) {
            Probe.of(ServiceType.SIP, p.port())
                    .login("a@b", "")
                    .assertDown("sip answered SIP/2.0 503 Service Unavailable");
        }
    }

    @Test
    void tcpRefused() {
        Probe.of(ServiceType.SIP, Probe.closedTcpPort())
                .login("a@b", "")
                .assertDown("connect refused");
    }

    @Test
    void tcpSilenceTimesOut() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::hold)) {
            Probe.of(ServiceType.SIP, p.port()).timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }
}
