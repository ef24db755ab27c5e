package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ldirector.config.ServiceType;

/** pop and pops against Dovecot's dialogue; every case runs in plain text and in TLS. */
class PopCheckTest {
    /** Dovecot's POP3 replies; accepts only alice / s3cret. */
    static void dovecot(ScriptedPeer.Conn c) throws Exception {
        c.send("+OK Dovecot (Debian) ready.\r\n");
        String user = null;
        for (String line = c.line(); line != null; line = c.line()) {
            if (line.startsWith("USER ")) {
                user = line.substring(5);
                c.send("+OK\r\n");
            } else if (line.startsWith("PASS ")) {
                c.send("alice".equals(user) && line.equals("PASS s3cret") ? "+OK Logged in.\r\n"
                        : "-ERR [AUTH] Authentication failed.\r\n");
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
            assertEquals(List.of("USER alice", "PASS s3cret", "QUIT"), p.received());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void downWithBadCredentials(boolean tls) throws Exception {
        try (ScriptedPeer p = peer(tls, PopCheckTest::dovecot)) {
            Probe.of(service(tls), p.port()).login("alice", "wrong-pw").assertDown("PASS rejected: -ERR [AUTH] Authentication failed.");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void errGreetingIsDown(boolean tls) throws Exception {
        try (ScriptedPeer p = peer(tls, c -> c.send("-ERR [SYS/TEMP] Server shutting down.\r\n"))) {
            Probe.of(service(tls), p.port()).assertDown("banner -ERR [SYS/TEMP] Server shutting down.");
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

    @org.junit.jupiter.api.Test
    void popsAgainstAPlainTextServerFailsTheHandshake() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(PopCheckTest::dovecot)) {
            Probe.of(ServiceType.POPS, p.port()).assertDown("TLS");
        }
    }
}
