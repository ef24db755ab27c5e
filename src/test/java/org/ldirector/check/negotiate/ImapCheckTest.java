package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ldirector.config.ServiceType;

/** imap and imaps against Dovecot's dialogue; every case runs in plain text and in TLS. */
class ImapCheckTest {
    static final String CAPS =
            "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN";

    /** Dovecot's IMAP replies; accepts only "alice" with password "s3 \"cret\"". */
    static void dovecot(ScriptedPeer.Conn c) throws Exception {
        c.send("* OK [CAPABILITY " + CAPS + "] Dovecot (Debian) ready.\r\n");
        for (String line = c.line(); line != null; line = c.line()) {
            String tag = line.split(" ", 2)[0];
            if (line.startsWith(tag + " LOGIN ")) {
                if (line.equals(tag + " LOGIN \"alice\" \"s3 \\\"cret\\\"\"")) {
                    c.send(
                            "* CAPABILITY "
                                    + CAPS
                                    + "\r\n"
                                    + tag
                                    + " OK [CAPABILITY "
                                    + CAPS
                                    + "] Logged in\r\n");
                } else {
                    c.send(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
                }
            } else if (line.startsWith(tag + " LOGOUT")) {
                c.send(
                        "* BYE Logging out\r\n"
                                + tag
                                + " OK Logout completed (0.001 + 0.000 secs).\r\n");
                return;
            }
        }
    }

    static ServiceType service(boolean tls) {
        return tls ? ServiceType.IMAPS : ServiceType.IMAP;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void upWithoutLoginOnGreeting(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, ImapCheckTest::dovecot)) {
            Probe.of(service(tls), p.port()).assertUp();
            assertEquals(List.of("0 LOGOUT"), p.received());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void upWithGoodCredentialsQuotedAsImapWants(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, ImapCheckTest::dovecot)) {
            Probe.of(service(tls), p.port()).login("alice", "s3 \"cret\"").assertUp();
            assertEquals(
                    List.of("0 LOGIN \"alice\" \"s3 \\\"cret\\\"\"", "1 LOGOUT"), p.received());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void downWithBadCredentials(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, ImapCheckTest::dovecot)) {
            Probe.of(service(tls), p.port())
                    .login("alice", "wrong-pw")
                    .assertDown(
                            "LOGIN rejected: 0 NO [AUTHENTICATIONFAILED] Authentication failed.");
            assertEquals(
                    List.of("0 LOGIN \"alice\" \"wrong-pw\"", "1 LOGOUT"),
                    p.received(),
                    "a refused LOGIN is followed by LOGOUT, as Net::IMAP::Simple's quit sends it");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void preauthGreetingIsUp(boolean tls) throws Exception {
        try (ScriptedPeer p =
                PopCheckTest.peer(
                        tls,
                        c -> c.send("* PREAUTH [CAPABILITY IMAP4rev1] Logged in as alice\r\n"))) {
            Probe.of(service(tls), p.port()).assertUp();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void byeGreetingIsDown(boolean tls) throws Exception {
        try (ScriptedPeer p =
                PopCheckTest.peer(tls, c -> c.send("* BYE Too many connections\r\n"))) {
            Probe.of(service(tls), p.port())
                    .assertDown("banner * BYE Too many connections from " + service(tls).keyword());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void refused(boolean tls) {
        Probe.of(service(tls), Probe.closedTcpPort()).assertDown("connect refused");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loginNeverAnsweredTimesOut(boolean tls) throws Exception {
        try (ScriptedPeer p =
                PopCheckTest.peer(
                        tls,
                        c -> {
                            c.send("* OK ready\r\n");
                            c.hold();
                        })) {
            Probe.of(service(tls), p.port())
                    .login("alice", "x")
                    .timeout(Duration.ofMillis(400))
                    .assertTimesOut();
        }
    }
}
