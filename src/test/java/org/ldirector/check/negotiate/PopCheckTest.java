package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ldirector.config.ServiceType;

/** pop and pops against Dovecot's dialogue; every case runs in plain text and in TLS. */
class PopCheckTest {
    /** Dovecot's POP3 replies (no APOP, no CRAM-MD5); accepts only alice / s3cret. */
    static void dovecot(ScriptedPeer.Conn c) throws Exception {
        pop3(c, "+OK Dovecot (Debian) ready.\r\n", "SASL PLAIN");
    }

    /**
     * A POP3 server with the given greeting and SASL capability line. USER/PASS accepts alice /
     * s3cret; APOP and AUTH CRAM-MD5 accept the users of RFC 1939's and RFC 2195's examples.
     */
    static void pop3(ScriptedPeer.Conn c, String greeting, String sasl) throws Exception {
        c.send(greeting);
        String user = null;
        boolean in = false;
        for (String line = c.line(); line != null; line = c.line()) {
            if (line.startsWith("USER ")) {
                user = line.substring(5);
                c.send("+OK\r\n");
            } else if (line.startsWith("PASS ")) {
                in = "alice".equals(user) && line.equals("PASS s3cret");
                c.send(in ? "+OK Logged in.\r\n" : "-ERR [AUTH] Authentication failed.\r\n");
            } else if (line.startsWith("APOP ")) {
                // RFC 1939 section 7: mrose, secret "tanstaaf", timestamp
                // <1896.697170952@dbc.mtview.ca.us>
                in = line.equals("APOP mrose c4c9334bac560ecc979e58001b3e22fb");
                c.send(
                        in
                                ? "+OK maildrop has 1 message (369 octets)\r\n"
                                : "-ERR permission denied\r\n");
            } else if (line.equals("CAPA")) {
                c.send(
                        "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nUSER\r\n"
                                + sasl
                                + "\r\n.\r\n");
            } else if (line.equals("AUTH CRAM-MD5")) {
                // RFC 2195 section 2: tim, secret "tanstaaftanstaaf"
                c.send(
                        "+ "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                "<1896.697170952@postoffice.reston.mci.net>"
                                                        .getBytes(StandardCharsets.US_ASCII))
                                + "\r\n");
                String answer =
                        new String(Base64.getDecoder().decode(c.line()), StandardCharsets.US_ASCII);
                in = answer.equals("tim b913a602c7eda7a495b4e6e7334d3890");
                c.send(in ? "+OK Logged in.\r\n" : "-ERR [AUTH] Authentication failed.\r\n");
            } else if (line.equals("NOOP")) {
                c.send("+OK\r\n");
            } else if (line.equals("STAT")) {
                c.send(in ? "+OK 1 369\r\n" : "-ERR Unknown command.\r\n");
            } else if (line.equals("QUIT")) {
                c.send("+OK Logging out.\r\n");
                return;
            }
        }
    }

    static ScriptedPeer peer(boolean tls, ScriptedPeer.Script s) throws IOException {
        return tls ? ScriptedPeer.startTls(s) : ScriptedPeer.start(s);
    }

    static ServiceType service(boolean tls) {
        return tls ? ServiceType.POPS : ServiceType.POP;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void upWithoutLoginOnGreeting(boolean tls) throws Exception {
        try (ScriptedPeer p = peer(tls, PopCheckTest::dovecot)) {
            Probe.of(service(tls), p.port()).assertUp();
            assertEquals(List.of("QUIT"), p.received());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void upWithGoodCredentials(boolean tls) throws Exception {
        try (ScriptedPeer p = peer(tls, PopCheckTest::dovecot)) {
            Probe.of(service(tls), p.port()).login("alice", "s3cret").assertUp();
            assertEquals(
                    List.of("CAPA", "USER alice", "PASS s3cret", "STAT", "QUIT"), p.received());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void apopWhenTheGreetingCarriesATimestamp(boolean tls) throws Exception {
        try (ScriptedPeer p =
                peer(
                        tls,
                        c ->
                                pop3(
                                        c,
                                        "+OK POP3 server ready"
                                                + " <1896.697170952@dbc.mtview.ca.us>\r\n",
                                        "SASL PLAIN"))) {
            Probe.of(service(tls), p.port()).login("mrose", "tanstaaf").assertUp();
            assertEquals(
                    List.of("APOP mrose c4c9334bac560ecc979e58001b3e22fb", "NOOP", "STAT", "QUIT"),
                    p.received());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void failedApopFallsBackToUserPass(boolean tls) throws Exception {
        try (ScriptedPeer p =
                peer(
                        tls,
                        c ->
                                pop3(
                                        c,
                                        "+OK POP3 server ready"
                                                + " <1896.697170952@dbc.mtview.ca.us>\r\n",
                                        "SASL PLAIN"))) {
            Probe.of(service(tls), p.port()).login("alice", "s3cret").assertUp();
            assertEquals(
                    List.of("NOOP", "CAPA", "USER alice", "PASS s3cret", "STAT", "QUIT"),
                    p.received().subList(1, 7));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cramMd5WhenCapaOffersIt(boolean tls) throws Exception {
        try (ScriptedPeer p =
                peer(tls, c -> pop3(c, "+OK Dovecot ready.\r\n", "SASL PLAIN CRAM-MD5"))) {
            Probe.of(service(tls), p.port()).login("tim", "tanstaaftanstaaf").assertUp();
            assertEquals(List.of("CAPA", "AUTH CRAM-MD5"), p.received().subList(0, 2));
            assertEquals(List.of("STAT", "QUIT"), p.received().subList(3, 5));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cramMd5WithWrongPasswordIsDown(boolean tls) throws Exception {
        try (ScriptedPeer p =
                peer(tls, c -> pop3(c, "+OK Dovecot ready.\r\n", "SASL PLAIN CRAM-MD5"))) {
            Probe.of(service(tls), p.port())
                    .login("tim", "wrong-pw")
                    .assertDown("AUTH CRAM-MD5 rejected: -ERR [AUTH] Authentication failed.");
            assertEquals(
                    "QUIT", p.received().get(p.received().size() - 1), p.received().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void downWithBadCredentials(boolean tls) throws Exception {
        try (ScriptedPeer p = peer(tls, PopCheckTest::dovecot)) {
            Probe.of(service(tls), p.port())
                    .login("alice", "wrong-pw")
                    .assertDown("PASS rejected: -ERR [AUTH] Authentication failed.");
            assertEquals(
                    List.of("CAPA", "USER alice", "PASS wrong-pw", "QUIT"),
                    p.received(),
                    "a refused PASS is followed by QUIT, as Mail::POP3Client's close sends it");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void errGreetingIsDown(boolean tls) throws Exception {
        try (ScriptedPeer p = peer(tls, c -> c.send("-ERR [SYS/TEMP] Server shutting down.\r\n"))) {
            Probe.of(service(tls), p.port())
                    .assertDown("banner -ERR [SYS/TEMP] Server shutting down.");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void refused(boolean tls) {
        Probe.of(service(tls), Probe.closedTcpPort()).assertDown("connect refused");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void silentServerTimesOut(boolean tls) throws Exception {
        // for pops the TLS handshake itself is what never completes
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::hold)) {
            Probe.of(service(tls), p.port()).timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }

    @Test
    void popsAgainstAPlainTextServerFailsTheHandshake() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(PopCheckTest::dovecot)) {
            Probe.of(ServiceType.POPS, p.port()).assertDown("TLS");
        }
    }
}
