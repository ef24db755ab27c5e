package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneId;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

class LineLayoutTest {
    private static LogEvent event(LocalDateTime at, int millis, Level level, String text) {
        return Log4jLogEvent.newBuilder()
                .setLoggerName("org.example.Lib")
                .setLevel(level)
                .setMessage(new SimpleMessage(text))
                .setTimeMillis(
                        at.atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() + millis)
                .build();
    }

    @Test
    void ldirectordsLineHasCtimesWordsAndASpacePaddedDay() {
        LineLayout layout = LineLayout.ldirectord("web.cf", 773);
        assertEquals(
                "[Mon Dec  7 09:05:03 2026|web.cf|773] Added real server: 10.0.0.1:80\n",
                layout.toSerializable(
                        event(
                                LocalDateTime.of(2026, 12, 7, 9, 5, 3),
                                250,
                                Level.INFO,
                                "Added real server: 10.0.0.1:80")));
        // the next second, and a two-digit day: the second's text is not kept past its second
        assertEquals(
                "[Mon Dec  7 09:05:04 2026|web.cf|773] a\n",
                layout.toSerializable(
                        event(LocalDateTime.of(2026, 12, 7, 9, 5, 4), 0, Level.INFO, "a")));
        assertEquals(
                "[Thu Dec 17 23:59:59 2026|web.cf|773] b\n",
                layout.toSerializable(
                        event(LocalDateTime.of(2026, 12, 17, 23, 59, 59), 999, Level.INFO, "b")));
    }

    @Test
    void theStartupLineHasIsoTimeLevelAndTheLoggersLastName() {
        assertEquals(
                "2026-12-07T09:05:03,250 WARN  Lib: careful\n",
                LineLayout.startup()
                        .toSerializable(
                                event(
                                        LocalDateTime.of(2026, 12, 7, 9, 5, 3),
                                        250,
                                        Level.WARN,
                                        "careful")));
    }

    @Test
    void aThrowablesStackTraceFollowsTheLine() {
        LogEvent e =
                Log4jLogEvent.newBuilder()
                        .setLoggerName("x")
                        .setLevel(Level.ERROR)
                        .setMessage(new SimpleMessage("failed"))
                        .setThrown(new IllegalStateException("why"))
                        .setTimeMillis(0)
                        .build();
        String out = LineLayout.ldirectord("web.cf", 1).toSerializable(e);
        assertTrue(
                out.matches(
                        "(?s)\\[[^]]+\\|web\\.cf\\|1\\] failed\\n"
                                + "java\\.lang\\.IllegalStateException: why\\n\\tat .*"),
                out);
    }
}
