package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ldirector.config.ServiceType;

/** smtp and submission (one dialogue in ldirectord) against Postfix's bytes. */
class SmtpCheckTest {
    // Postfix's greeting and EHLO answer, byte for byte
    static final String BANNER = "220 mail.example.test ESMTP Postfix (Debian/GNU)\r\n";
    static final String EHLO_OK =
            "250-mail.example.test\r\n"
                    + "250-PIPELINING\r\n"
                    + "250-SIZE 10240000\r\n"
                    + "250-VRFY\r\n"
                    + "250-ETRN\r\n"
                    + "250-ENHANCEDSTATUSCODES\r\n"
                    + "250-8BITMIME\r\n"
                    + "250 SMTPUTF8\r\n";

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void upAfterBannerAndEhlo(ServiceType service) throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            c.send(BANNER);
                            c.line();
                            c.send(EHLO_OK);
                            c.line();
                            c.send("221 2.0.0 Bye\r\n");
                        })) {
            Probe.of(service, p.port()).assertUp();
            assertEquals(List.of("EHLO localhost.localdomain", "QUIT"), p.received());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void multiLineBannerIsReadToItsLastLine(ServiceType service) throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            c.send(
                                    "220-mail.example.test ESMTP\r\n"
                                            + "220-no UCE\r\n"
                                            + "220 mail.example.test ready\r\n");
                            c.line();
                            c.send(EHLO_OK);
                            c.line();
                        })) {
            Probe.of(service, p.port()).assertUp();
            assertEquals("EHLO localhost.localdomain", p.received().get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void ehloRefusedWith5xxFallsBackToHelo(ServiceType service) throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            c.send(BANNER);
                            c.line();
                            c.send("502 5.5.2 Error: command not recognized\r\n");
                            c.line();
                            c.send("250 mail.example.test\r\n");
                            c.line();
                        })) {
            Probe.of(service, p.port()).assertUp();
            assertEquals(
                    List.of("EHLO localhost.localdomain", "HELO localhost.localdomain", "QUIT"),
                    p.received());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void heloRejectedIsDown(ServiceType service) throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            c.send(BANNER);
                            c.line();
                            c.send("500 5.5.2 no\r\n");
                            c.line();
                            c.send("501 5.5.4 go away\r\n");
                        })) {
            Probe.of(service, p.port()).assertDown("HELO rejected: 501 5.5.4 go away");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void ehloTemporaryFailureIsDownWithoutHelo(ServiceType service) throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            c.send(BANNER);
                            c.line();
                            c.send("421 4.3.2 shutting down\r\n");
                            c.hold();
                        })) {
            Probe.of(service, p.port()).assertDown("EHLO rejected: 421");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void busyBannerIsDown(ServiceType service) throws Exception {
        try (ScriptedPeer p =
                ScriptedPeer.start(c -> c.send("421 mail.example.test too busy\r\n"))) {
            Probe.of(service, p.port())
                    .assertDown("banner 421 mail.example.test too busy from " + service.keyword());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void hangupBeforeBannerIsDown(ServiceType service) throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(c -> {})) {
            Probe.of(service, p.port()).assertDown("connection closed");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void refused(ServiceType service) {
        Probe.of(service, Probe.closedTcpPort()).assertDown("connect refused");
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void silentServerTimesOut(ServiceType service) throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::hold)) {
            Probe.of(service, p.port()).timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"SMTP", "SUBMISSION"})
    void tricklingServerStillTimesOutAtTheDeadline(ServiceType service) throws Exception {
        // one byte every 100 ms: every single read is quick, only the total deadline catches it
        try (ScriptedPeer p =
                ScriptedPeer.start(
                        c -> {
                            for (int i = 0; i < 100; i++) {
                                c.send("2");
                                Thread.sleep(100);
                            }
                        })) {
            Probe.of(service, p.port()).timeout(Duration.ofMillis(500)).assertTimesOut();
        }
    }
}
