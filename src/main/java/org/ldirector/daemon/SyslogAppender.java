package org.ldirector.daemon;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;

/**
 * {@code logfile="local0"}: each line to the local syslog daemon over {@code /dev/log}, in the BSD
 * format (RFC 3164) that rsyslog, syslog-ng and journald all read: {@code <134>Nov 24 00:49:05
 * ldirector[1234]: Deleted real server: ...}. /dev/log is a UNIX datagram socket, which the JDK
 * cannot open, hence the sys socket (log4j's own syslog appender speaks only UDP or TCP to a
 * network port, which local syslog daemons rarely listen on).
 */
final class SyslogAppender extends AbstractAppender {
    static final Path DEV_LOG = Path.of("/dev/log");
    static final Map<String, Integer> FACILITIES =
            Map.ofEntries(
                    Map.entry("kern", 0),
                    Map.entry("user", 1),
                    Map.entry("mail", 2),
                    Map.entry("daemon", 3),
                    Map.entry("auth", 4),
                    Map.entry("syslog", 5),
                    Map.entry("lpr", 6),
                    Map.entry("news", 7),
                    Map.entry("uucp", 8),
                    Map.entry("cron", 9),
                    Map.entry("authpriv", 10),
                    Map.entry("ftp", 11),
                    Map.entry("local0", 16),
                    Map.entry("local1", 17),
                    Map.entry("local2", 18),
                    Map.entry("local3", 19),
                    Map.entry("local4", 20),
                    Map.entry("local5", 21),
                    Map.entry("local6", 22),
                    Map.entry("local7", 23));
    // RFC 3164's TIMESTAMP: "Mmm dd hh:mm:ss", the day padded with a space
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private final int facility;
    private final SockAddr target;
    private final Path socketPath;
    private final Clock clock;
    private final long pid;
    private NativeSocket socket;
    private boolean warned;

    SyslogAppender(String facility, Path socketPath, Clock clock, long pid) {
        super("syslog", null, null, true, Property.EMPTY_ARRAY);
        this.facility = FACILITIES.getOrDefault(facility, 1);
        this.socketPath = socketPath;
        this.target = SockAddr.unix(socketPath.toString());
        this.clock = clock;
        this.pid = pid;
    }

    static int severity(Level level) {
        if (level.isMoreSpecificThan(Level.ERROR)) {
            return 3;
        }
        if (level.isMoreSpecificThan(Level.WARN)) {
            return 4;
        }
        return level.isMoreSpecificThan(Level.INFO) ? 6 : 7;
    }

    String format(Level level, String message) {
        return "<"
                + (facility * 8 + severity(level))
                + ">"
                + STAMP.format(clock.instant().atZone(clock.getZone()))
                + " ldirector["
                + pid
                + "]: "
                + message;
    }

    @Override
    public synchronized void append(LogEvent event) {
        byte[] line =
                format(event.getLevel(), event.getMessage().getFormattedMessage())
                        .getBytes(StandardCharsets.UTF_8);
        try {
            if (socket == null) {
                socket = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0);
            }
            socket.sendTo(ByteBuffer.wrap(line), target);
            warned = false;
        } catch (NativeException e) {
            if (!warned) {
                // one line, not one per event: the log itself is what is missing
                System.err.println(
                        "ldirector: cannot log to syslog via "
                                + socketPath
                                + ": "
                                + e.getMessage());
                warned = true;
            }
            closeSocket(); // the syslog daemon may come back with a new socket
        }
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (NativeException e) {
                // gone either way
            }
            socket = null;
        }
    }

    @Override
    public synchronized void stop() {
        closeSocket();
        super.stop();
    }
}
