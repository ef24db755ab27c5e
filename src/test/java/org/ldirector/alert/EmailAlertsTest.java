package org.ldirector.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.DaemonState;
import org.ldirector.config.VirtualConfig;
import org.ldirector.ipvs.Family;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.net.RefusingPorts;
import org.ldirector.reconcile.Reconciler;

class EmailAlertsTest {
    @TempDir Path dir;

    /** A scripted SMTP relay on loopback: answers as Postfix does and records each session. */
    static final class SmtpPeer implements AutoCloseable {
        final ServerSocket server;
        final BlockingQueue<String> sessions = new LinkedBlockingQueue<>();
        final Thread thread;

        SmtpPeer() throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "smtp-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    BufferedReader in =
                            new BufferedReader(
                                    new InputStreamReader(
                                            s.getInputStream(), StandardCharsets.UTF_8));
                    OutputStream out = s.getOutputStream();
                    StringBuilder t = new StringBuilder();
                    write(out, "220 relay.test ESMTP");
                    boolean data = false;
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        t.append(line).append('\n');
                        if (data) {
                            if (line.equals(".")) {
                                data = false;
                                write(out, "250 2.0.0 Ok: queued");
                            }
                        } else if (line.startsWith("EHLO")) {
                            write(out, "250-relay.test\r\n250 8BITMIME");
                        } else if (line.equals("DATA")) {
                            data = true;
                            write(out, "354 End data with <CR><LF>.<CR><LF>");
                        } else if (line.equals("QUIT")) {
                            write(out, "221 2.0.0 Bye");
                            break;
                        } else {
                            write(out, "250 2.1.0 Ok");
                        }
                    }
                    sessions.add(t.toString());
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void write(OutputStream out, String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Its queue shows the timers: the reminder check runs only while a real is out. */
    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);

    {
        executor.setRemoveOnCancelPolicy(true);
    }

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Instant> now =
            new AtomicReference<>(Instant.parse("2026-11-24T01:00:00Z"));
    private final Clock clock =
            new Clock() {
                @Override
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now.get();
                }
            };
    private SmtpPeer peer;
    private EmailAlerts alerts;

    @BeforeEach
    void start() throws IOException {
        peer = new SmtpPeer();
        alerts = new EmailAlerts(executor, clock, log::add, "director1", "root", peer.port());
    }

    @AfterEach
    void stop() throws IOException {
        alerts.close();
        executor.shutdownNow();
        peer.close();
    }

    private VirtualConfig virtual(String extra) throws Exception {
        Path cf = dir.resolve("t.cf");
        Files.writeString(
                cf,
                "emailalert=\"ops@example.test, oncall@example.test\"\nsmtp=127.0.0.1\n"
                        + "emailalertfreq=60\n"
                        + extra
                        + "virtual=10.77.0.100:80\n"
                        + "\treal=10.77.1.12:80 masq\n"
                        + "\tservicename=web\n"
                        + "\tcomment=front page\n");
        Config c = ConfigParser.parse(cf);
        alerts.configured(c);
        return c.virtuals().get(0);
    }

    private static Reconciler.Step step(String message) {
        return new Reconciler.Step(
                new IpvsOp.DeleteService(ServiceKey.fwmark(1, Family.INET)), message, false);
    }

    private void drain() throws Exception {
        executor.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDeletedRealIsMailedAsLdirectordDoesAndRemindedUntilItIsBack() throws Exception {
        VirtualConfig v = virtual("");
        alerts.daemonState(DaemonState.RUNNING);
        assertEquals(0, executor.getQueue().size(), "no reminder check while every real is in");
        alerts.applied(
                Optional.of(v), step("Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"), true);
        String session = peer.sessions.poll(10, TimeUnit.SECONDS);
        assertEquals(
                1, executor.getQueue().size(), "the reminder check runs while the real is out");
        assertEquals(
                """
                EHLO director1
                MAIL FROM:<root@director1>
                RCPT TO:<ops@example.test>
                RCPT TO:<oncall@example.test>
                DATA
                From: root@director1
                To: ops@example.test, oncall@example.test
                Subject: [web] Deleted real server: 10.77.1.12:80 (10.77.0.100:80)

                ldirector host: director1
                Log-Message: Deleted real server: 10.77.1.12:80 (10.77.0.100:80)
                Daemon-Status: running

                Service name: web
                Comment: front page

                .
                QUIT
                """,
                session);
        drain();
        assertEquals(
                List.of("emailalert: Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"), log);

        // emailalertfreq=60: nothing at 59 s, the reminder at 60 s
        now.set(now.get().plusSeconds(59));
        executor.submit(() -> {}).get();
        Thread.sleep(1500); // the reminder check runs once a second on its own; give it a turn
        assertNull(peer.sessions.poll());
        now.set(now.get().plusSeconds(1));
        String reminder = peer.sessions.poll(10, TimeUnit.SECONDS);
        assertTrue(
                reminder.contains(
                        "Subject: [web] Inaccessible real server: 10.77.1.12:80"
                                + " (10.77.0.100:80)\n"),
                reminder);

        // back in: mailed, and no more reminders
        alerts.applied(
                Optional.of(v),
                step("Added real server: 10.77.1.12:80 (10.77.0.100:80) (Weight set to 1)"),
                true);
        assertTrue(
                peer.sessions
                        .poll(10, TimeUnit.SECONDS)
                        .contains("Subject: [web] Added real server: 10.77.1.12:80"));
        now.set(now.get().plusSeconds(600));
        Thread.sleep(1500);
        assertNull(peer.sessions.poll(), "no reminder once the real is back");
        assertEquals(0, executor.getQueue().size(), "and no reminder check either");
    }

    /**
     * DNS: tcp and udp on one VIP:port log the same line for the same real, but are two virtuals.
     * The udp real coming back must not end the reminders of the tcp real that is still out.
     */
    @Test
    void tcpAndUdpOnOneAddressAndPortAreRemindedOfSeparately() throws Exception {
        Path cf = dir.resolve("dns.cf");
        Files.writeString(
                cf,
                "emailalert=ops@example.test\nsmtp=127.0.0.1\nemailalertfreq=60\n"
                        + "virtual=10.77.0.53:53\n\tprotocol=tcp\n\treal=10.77.1.12:53 masq\n"
                        + "virtual=10.77.0.53:53\n\tprotocol=udp\n\treal=10.77.1.12:53 masq\n");
        Config c = ConfigParser.parse(cf);
        alerts.configured(c);
        VirtualConfig tcp = c.virtuals().get(0);
        VirtualConfig udp = c.virtuals().get(1);
        alerts.daemonState(DaemonState.RUNNING);
        String deleted = "Deleted real server: 10.77.1.12:53 (10.77.0.53:53)";
        alerts.applied(Optional.of(tcp), step(deleted), true);
        alerts.applied(Optional.of(udp), step(deleted), true);
        assertTrue(peer.sessions.poll(10, TimeUnit.SECONDS).contains("Subject: " + deleted + "\n"));
        assertTrue(peer.sessions.poll(10, TimeUnit.SECONDS).contains("Subject: " + deleted + "\n"));

        alerts.applied(
                Optional.of(udp),
                step("Added real server: 10.77.1.12:53 (10.77.0.53:53) (Weight set to 1)"),
                true);
        assertTrue(
                peer.sessions
                        .poll(10, TimeUnit.SECONDS)
                        .contains("Subject: Added real server: 10.77.1.12:53"));
        now.set(now.get().plusSeconds(60));
        String reminder = peer.sessions.poll(10, TimeUnit.SECONDS);
        assertTrue(
                reminder != null
                        && reminder.contains(
                                "Subject: Inaccessible real server: 10.77.1.12:53"
                                        + " (10.77.0.53:53)\n"),
                "the tcp real is still out: " + reminder);
        Thread.sleep(1500); // the reminder check runs once a second on its own; give it a turn
        assertNull(peer.sessions.poll(), "one reminder: the udp real is back");
    }

    @Test
    void emailalertstatusFiltersByDaemonStateAndOtherLinesAreNotMailed() throws Exception {
        VirtualConfig v = virtual("emailalertstatus=running\n");
        alerts.daemonState(DaemonState.STARTING);
        alerts.applied(
                Optional.of(v),
                step("Added real server: 10.77.1.12:80 (10.77.0.100:80) (Weight set to 1)"),
                true);
        alerts.applied(Optional.of(v), step("Added virtual server: 10.77.0.100:80"), true);
        alerts.daemonState(DaemonState.RUNNING);
        alerts.applied(
                Optional.of(v),
                step("Deleted fallback server: 10.77.1.99:80 (10.77.0.100:80)"),
                false);
        drain();
        assertNull(
                peer.sessions.poll(),
                "starting is filtered out, virtual lines and failed steps are not mailed");
        alerts.applied(
                Optional.of(v),
                step(
                        "Readd Quiescent real server: 10.77.1.12:80 (10.77.0.100:80) (Weight set to"
                                + " 0)"),
                true);
        assertTrue(
                peer.sessions
                        .poll(10, TimeUnit.SECONDS)
                        .contains(
                                "Subject: [web] Quiescent real server: 10.77.1.12:80"
                                        + " (10.77.0.100:80) (Weight set to 0)\n"));
    }

    @Test
    void aRelayThatRefusesIsOneLogLine() throws Exception {
        VirtualConfig v = virtual("");
        // not the closed peer's port: another test may listen on it meanwhile (one did, and took
        // the mail)
        alerts.close();
        alerts =
                new EmailAlerts(
                        executor, clock, log::add, "director1", "root", RefusingPorts.reserve());
        alerts.daemonState(DaemonState.RUNNING);
        alerts.applied(
                Optional.of(v), step("Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"), true);
        drain();
        assertEquals(2, log.size(), log.toString());
        assertTrue(log.get(1).startsWith("failed to send SMTP email message: "), log.get(1));
    }

    private VirtualConfig withoutSmtp() throws Exception {
        Path cf = dir.resolve("nosmtp.cf");
        Files.writeString(
                cf, "emailalert=root\nvirtual=10.77.0.100:80\n\treal=10.77.1.12:80 masq\n");
        Config c = ConfigParser.parse(cf);
        alerts.configured(c);
        return c.virtuals().get(0);
    }

    @Test
    void withoutSmtpUnderNoNewPrivilegesTheLocalMtaIsReachedOverSmtpOnLoopback() throws Exception {
        alerts.close();
        // a sendmail that would take it: not used while the loopback listener answers
        Path spool = dir.resolve("sendmail.out");
        Path sendmail =
                Files.writeString(dir.resolve("sendmail"), "#!/bin/sh\ncat > " + spool + "\n");
        sendmail.toFile().setExecutable(true);
        alerts =
                new EmailAlerts(
                        executor,
                        clock,
                        log::add,
                        "director1",
                        "root",
                        peer.port(),
                        sendmail,
                        true);
        VirtualConfig v = withoutSmtp();
        alerts.daemonState(DaemonState.RUNNING);
        alerts.applied(
                Optional.of(v), step("Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"), true);
        String session = peer.sessions.poll(10, TimeUnit.SECONDS);
        assertTrue(
                session != null
                        && session.contains("RCPT TO:<root>")
                        && session.contains(
                                "Subject: Deleted real server: 10.77.1.12:80 (10.77.0.100:80)\n"),
                String.valueOf(session));
        drain();
        assertFalse(Files.exists(spool));
        assertEquals(
                List.of("emailalert: Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"), log);
    }

    @Test
    void withoutSmtpUnderNoNewPrivilegesSendmailIsTriedWhenNothingListensAndAFailureSaysWhatToSet()
            throws Exception {
        alerts.close();
        int refusing = RefusingPorts.reserve();
        Path spool = dir.resolve("sendmail.out");
        Path sendmail =
                Files.writeString(dir.resolve("sendmail"), "#!/bin/sh\ncat > " + spool + "\n");
        sendmail.toFile().setExecutable(true);
        alerts =
                new EmailAlerts(
                        executor, clock, log::add, "director1", "root", refusing, sendmail, true);
        VirtualConfig v = withoutSmtp();
        alerts.daemonState(DaemonState.RUNNING);
        alerts.applied(
                Optional.of(v), step("Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"), true);
        drain();
        assertTrue(
                Files.readString(spool)
                        .contains(
                                "Subject: Deleted real server: 10.77.1.12:80 (10.77.0.100:80)\n"));
        assertEquals(1, log.size(), log.toString());

        // Postfix's sendmail under NoNewPrivileges: postdrop cannot queue (here: it fails at once)
        alerts.close();
        Files.writeString(sendmail, "#!/bin/sh\nexit 75\n");
        alerts =
                new EmailAlerts(
                        executor, clock, log::add, "director1", "root", refusing, sendmail, true);
        v = withoutSmtp();
        alerts.daemonState(DaemonState.RUNNING);
        alerts.applied(
                Optional.of(v), step("Deleted real server: 10.77.1.13:80 (10.77.0.100:80)"), true);
        drain();
        assertEquals(3, log.size(), log.toString());
        String failure = log.get(2);
        assertTrue(
                failure.startsWith(
                        "failed to send email message: no smtp=, and this process cannot gain"
                            + " privileges (NoNewPrivileges=yes, as under systemd), so neither SMTP"
                            + " on 127.0.0.1:"
                                + refusing
                                + " ("),
                failure);
        assertTrue(
                failure.endsWith(
                        ") nor sendmail exited 75 took it; set smtp= to a mail relay, or run a"
                                + " local MTA that listens on 127.0.0.1:"
                                + refusing),
                failure);
    }

    @Test
    void noNewPrivilegesIsReadFromProcSelfStatus() throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nNoNewPrivs:\t1\nSeccomp:\t2\n");
        assertTrue(EmailAlerts.noNewPrivileges(status));
        Files.writeString(status, "Name:\tjava\nNoNewPrivs:\t0\n");
        assertFalse(EmailAlerts.noNewPrivileges(status));
        assertFalse(EmailAlerts.noNewPrivileges(dir.resolve("missing")));
    }
}
