package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.LogTarget;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;

class LoggingTest {
    @TempDir Path dir;

    @AfterEach
    void quiet() {
        Logging.configure("test", new LogTarget(Optional.empty(), Optional.empty()), false, false);
    }

    /**
     * Issue 24: an unopenable logfile (a read-only /var/log) made log4j print some 60 lines of
     * stack traces, twice, and log nowhere. One line, and the log goes to syslog.
     */
    @Test
    void anUnopenableLogfileIsOneLineAndTheLogGoesToSyslog() throws Exception {
        Path notADir = Files.writeString(dir.resolve("plain"), "");
        Path logfile = notADir.resolve("ldirectord.log");
        Path socket = dir.resolve("syslog");
        try (NativeSocket syslog = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0)) {
            syslog.bind(SockAddr.unix(socket.toString()));
            Optional<String> problem =
                    Logging.configure("web.cf", LogTarget.file(logfile), false, false, socket);
            assertEquals(
                    Optional.of(
                            "cannot open logfile "
                                    + logfile
                                    + ": Not a directory (ENOTDIR); logging to syslog"
                                    + " (facility daemon)"),
                    problem);
            Logging.events().info("Added real server: 10.77.1.1:80");
            ByteBuffer b = ByteBuffer.allocate(1024);
            assertTrue(syslog.receive(b, Duration.ofSeconds(5)).isPresent());
            String line = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            assertTrue(line.startsWith("<30>"), "daemon.info: " + line);
            assertTrue(line.endsWith("]: Added real server: 10.77.1.1:80"), line);
        }
    }

    @Test
    void anOpenableLogfileIsUsedAndNothingIsSaid() throws Exception {
        Path logfile = dir.resolve("ldirectord.log");
        assertEquals(
                Optional.empty(),
                Logging.configure(
                        "web.cf", LogTarget.file(logfile), false, false, dir.resolve("none")));
        Logging.events().info("hello");
        assertTrue(
                Files.readString(logfile)
                        .endsWith("|web.cf|" + ProcessHandle.current().pid() + "] hello\n"),
                Files.readString(logfile));
    }
}
