package org.ldirector.daemon;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.layout.AbstractStringLayout;

/**
 * The two fixed line formats ldirector logs in, written out here rather than by log4j's
 * PatternLayout, whose pattern parser loads every converter plugin log4j has (about 90 classes) for
 * formats that never change. A line is the prefix, the message, a newline, and the stack trace of a
 * throwable if the event has one (as PatternLayout adds it).
 *
 * <p>Declared a plugin so that log4j's annotation processor writes a plugin cache listing this
 * class alone; the jar carries that cache instead of log4j-core's (pom.xml, shade filter), so
 * log4j's plugin registry loads one class at start instead of every plugin it has (about 450: the
 * configuration here is built in code and names none). An empty cache would not do: log4j then
 * scans its packages for plugins, which loads more still.
 */
@Plugin(name = "LdirectorLine", category = Node.CATEGORY, elementType = Layout.ELEMENT_TYPE)
final class LineLayout extends AbstractStringLayout {
    /** ctime(3)'s words whatever the locale, as ldirectord's Perl {@code localtime} prints them. */
    private static final DateTimeFormatter CTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

    private static final DateTimeFormatter ISO8601 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS", Locale.ENGLISH);

    private final ZoneId zone = ZoneId.systemDefault();
    private final String configName;
    private final long pid;

    /** The last second formatted, and its text: the log has a second's resolution. */
    private record Second(long epochSecond, String text) {}

    private volatile Second last = new Second(Long.MIN_VALUE, "");

    private LineLayout(String configName, long pid) {
        super(StandardCharsets.UTF_8);
        this.configName = configName;
        this.pid = pid;
    }

    /**
     * ldirectord's line: {@code [Mon Dec 7 11:01:39 2026|ldirectord.cf|1042] message}, the day of
     * month space-padded.
     */
    static LineLayout ldirectord(String configName, long pid) {
        return new LineLayout(configName, pid);
    }

    /** Before the daemon's log is set up: {@code 2026-12-07T11:01:39,123 WARN Lib: message}. */
    static LineLayout startup() {
        return new LineLayout(null, 0);
    }

    @Override
    public String toSerializable(LogEvent event) {
        StringBuilder line = getStringBuilder();
        long millis = event.getTimeMillis();
        if (configName != null) {
            line.append('[')
                    .append(ctime(millis / 1000))
                    .append('|')
                    .append(configName)
                    .append('|')
                    .append(pid)
                    .append("] ");
        } else {
            String level = event.getLevel().name();
            String logger = event.getLoggerName();
            line.append(ISO8601.format(Instant.ofEpochMilli(millis).atZone(zone)))
                    .append(' ')
                    .append(level)
                    .append(" ".repeat(Math.max(0, 5 - level.length())))
                    .append(' ')
                    .append(logger.substring(logger.lastIndexOf('.') + 1))
                    .append(": ");
        }
        line.append(event.getMessage().getFormattedMessage()).append('\n');
        Throwable thrown = event.getThrown();
        if (thrown != null) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    private String ctime(long epochSecond) {
        Second s = last;
        if (s.epochSecond() != epochSecond) {
            s =
                    new Second(
                            epochSecond,
                            CTIME.format(Instant.ofEpochSecond(epochSecond).atZone(zone)));
            last = s;
        }
        return s.text();
    }
}
