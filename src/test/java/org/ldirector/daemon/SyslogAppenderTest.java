package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.LogTarget;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;

class SyslogAppenderTest {
    @TempDir Path dir;

    @AfterEach
    void quiet() {
        Logging.configure("test", new LogTarget(Optional.empty(), Optional.empty()), false, false);
    }

    @Test
    void linesAreRfc3164WithTheFacilityAndSeverityInThePriority() {
        SyslogAppender a =
                new SyslogAppender(
                        "local0",
                        dir.resolve("log"),
                        Clock.fixed(Instant.parse("2026-11-03T09:05:07Z"), ZoneOffset.UTC),
                        4242);
        assertEquals(
                "<134>Nov  3 09:05:07 ldirector[4242]: Deleted real server: 10.77.1.12:80"
                        + " (10.77.0.100:80)",
                a.format(Level.INFO, "Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"));
        assertEquals("<131>Nov  3 09:05:07 ldirector[4242]: x", a.format(Level.ERROR, "x"));
        SyslogAppender daemon =
                new SyslogAppender("daemon", dir.resolve("log"), Clock.systemUTC(), 1);
        assertTrue(daemon.format(Level.WARN, "y").startsWith("<28>"));
        assertTrue(daemon.format(Level.DEBUG, "y").startsWith("<31>"));
    }

    @Test
    void logfileLocal0SendsTheOperatorLogToTheSyslogSocket() throws Exception {
        Path socket = dir.resolve("dev-log");
        try (NativeSocket syslogd = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0)) {
            syslogd.bind(SockAddr.unix(socket.toString()));
            Logging.configure("web.cf", LogTarget.syslog("local0"), false, false, socket);
            Logging.events()
                    .info("Added real server: 10.77.1.11:80 (10.77.0.100:80) (Weight set to 1)");
            ByteBuffer b = ByteBuffer.allocate(2048);
            assertTrue(syslogd.receive(b, Duration.ofSeconds(10)).isPresent(), "no datagram");
            String line = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            assertTrue(
                    line.matches(
                            "<134>[A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d ldirector\\["
                                    + ProcessHandle.current().pid()
                                    + "\\]: Added real server: 10\\.77\\.1\\.11:80"
                                    + " \\(10\\.77\\.0\\.100:80\\) \\(Weight set to 1\\)"),
                    line);
        }
    }
}
