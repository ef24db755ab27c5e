package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.Health;
import org.ldirector.health.HealthEvent;
import org.ldirector.health.ProbeKey;

class MonitorFilesTest {
    @TempDir Path dir;

    @Test
    void eachCheckIsAppendedInLdirectordsFormatWithItsMessageEscaped() throws Exception {
        Path monitor = dir.resolve("web.monitor");
        Path cf = dir.resolve("t.cf");
        Files.writeString(
                cf,
                "virtual=10.77.0.100:80\n\treal=10.77.1.11:80 masq\n\treal=10.77.1.12:8080 masq\n"
                        + "\tmonitorfile=\""
                        + monitor
                        + "\"\nvirtual=10.77.0.101:80\n\treal=10.77.1.13:80 masq\n");
        Config c = ConfigParser.parse(cf);
        VirtualConfig v = c.virtuals().get(0);
        List<String> log = new ArrayList<>();
        // 3 Nov: ctime pads the day with a space
        try (MonitorFiles m =
                new MonitorFiles(
                        Clock.fixed(Instant.parse("2026-11-03T09:05:07Z"), ZoneOffset.UTC),
                        4242,
                        log::add)) {
            m.probed(
                    v,
                    v.reals().get(0),
                    CheckResult.up(Duration.ofMillis(3), "HTTP 200"),
                    Instant.EPOCH);
            m.probed(
                    v,
                    v.reals().get(1),
                    CheckResult.down(Duration.ofMillis(3), "receive /a|b%/ not found\r\n"),
                    Instant.EPOCH);
            m.healthChanged(
                    v,
                    v.reals().get(0),
                    new HealthEvent(
                            ProbeKey.of(v, v.reals().get(0)),
                            HealthEvent.Kind.WENT_DOWN,
                            Health.UP,
                            Health.DOWN,
                            1,
                            1,
                            CheckResult.down(Duration.ZERO, "in maintenance (/etc/ha.d/maint/x)")));
            // a virtual without monitorfile= writes nothing
            m.probed(
                    c.virtuals().get(1),
                    c.virtuals().get(1).reals().get(0),
                    CheckResult.up(Duration.ZERO, "ok"),
                    Instant.EPOCH);
        }
        assertEquals(
                """
                [Tue Nov  3 09:05:07 2026] [4242] 10.77.1.11 80 [up] HTTP 200
                [Tue Nov  3 09:05:07 2026] [4242] 10.77.1.12 8080 [down] receive /a%7cb%25/ not found%0d%0a
                [Tue Nov  3 09:05:07 2026] [4242] 10.77.1.11 80 [down] Server in maintenance
                """,
                Files.readString(monitor));
        assertEquals(List.of(), log);
    }

    @Test
    void aFileThatCannotBeWrittenIsReportedOnce() throws Exception {
        Path cf = dir.resolve("t.cf");
        Files.writeString(
                cf,
                "virtual=10.77.0.100:80\n\treal=10.77.1.11:80 masq\n\tmonitorfile=\""
                        + dir
                        + "/m\"\n");
        Config c = ConfigParser.parse(cf);
        Files.deleteIfExists(dir.resolve("m"));
        Files.createDirectory(dir.resolve("m")); // a directory where the file should be
        VirtualConfig v = c.virtuals().get(0);
        List<String> log = new ArrayList<>();
        try (MonitorFiles m = new MonitorFiles(Clock.systemUTC(), 1, log::add)) {
            for (int i = 0; i < 3; i++) {
                m.probed(v, v.reals().get(0), CheckResult.up(Duration.ZERO, "ok"), Instant.EPOCH);
            }
        }
        assertEquals(1, log.size(), log.toString());
        assertEquals(
                "Error writing to monitorfile '" + dir.resolve("m") + "': Is a directory (EISDIR)",
                log.get(0),
                "the system's reason, not the bare path again (issue 24)");
    }
}
