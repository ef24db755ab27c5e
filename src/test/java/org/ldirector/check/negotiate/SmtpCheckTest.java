package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldirector.config.ServiceType;

class SmtpCheckTest {
    // Postfix's greeting and EHLO answer, byte for byte
    static final String BANNER = "220 mail.example.test ESMTP Postfix (Debian/GNU)\r\n";
    static final String EHLO_OK = "250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
            + "250-VRFY\r\n250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n";

    @Test
    void upAfterBannerAndEhlo() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> {
            c.send(BANNER);
            c.line();
            c.send(EHLO_OK);
            c.line();
            c.send("221 2.0.0 Bye\r\n");
        })) {
            Probe.of(ServiceType.SMTP, p.port()).assertUp();
            assertEquals(List.of("EHLO localhost.localdomain", "QUIT"), p.received());
        }
    }

    @Test
    void submissionSpeaksTheSameDialogue() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> {
            c.send("220-mail.example.test first line\r\n220 second line\r\n");
            c.line();
            c.send(EHLO_OK);
            c.line();
        })) {
            Probe.of(ServiceType.SUBMISSION, p.port()).assertUp();
        }
    }

    @Test
    void ehloRefusedWith5xxFallsBackToHelo() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> {
            c.send(BANNER);
            c.line();
            c.send("502 5.5.2 Error: command not recognized\r\n");
            c.line();
            c.send("250 mail.example.test\r\n");
            c.line();
        })) {
            Probe.of(ServiceType.SMTP, p.port()).assertUp();
            assertEquals(List.of("EHLO localhost.localdomain", "HELO localhost.localdomain", "QUIT"), p.received());
        }
    }

    @Test
    void heloRejectedIsDown() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> {
            c.send(BANNER);
            c.line();
            c.send("500 5.5.2 no\r\n");
            c.line();
            c.send("501 5.5.4 go away\r\n");
        })) {
            Probe.of(ServiceType.SMTP, p.port()).assertDown("HELO rejected: 501 5.5.4 go away");
        }
    }

    @Test
    void ehloTemporaryFailureIsDownWithoutHelo() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> {
            c.send(BANNER);
            c.line();
            c.send("421 4.3.2 shutting down\r\n");
            c.hold();
        })) {
            Probe.of(ServiceType.SMTP, p.port()).assertDown("EHLO rejected: 421");
        }
    }

    @Test
    void busyBannerIsDown() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> c.send("421 mail.example.test too busy\r\n"))) {
            Probe.of(ServiceType.SMTP, p.port()).assertDown("banner 421 mail.example.test too busy from smtp");
        }
    }

    @Test
    void hangupBeforeBannerIsDown() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> { })) {
            Probe.of(ServiceType.SMTP, p.port()).assertDown("connection closed");
        }
    }

    @Test
    void refused() {
        Probe.of(ServiceType.SMTP, Probe.closedTcpPort()).assertDown("connect refused");
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::hold)) {
            Probe.of(ServiceType.SMTP, p.port()).timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }

    @Test
    void tricklingServerStillTimesOutAtTheDeadline() throws Exception {
        // one byte every 100 ms: every single read is quick, only the total deadline catches it
        try (ScriptedPeer p = ScriptedPeer.start(c -> {
            for (int i = 0; i < 100; i++) {
                c.send("2");
                Thread.sleep(100);
            }
        })) {
            Probe.of(ServiceType.SMTP, p.port()).timeout(Duration.ofMillis(500)).assertTimesOut();
        }
    }
}
