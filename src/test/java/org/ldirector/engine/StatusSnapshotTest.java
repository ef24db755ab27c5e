package org.ldirector.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.Health;
import org.ldirector.health.HealthBook;
import org.ldirector.health.ProbeKey;

/**
 * The health word `ldirector status` shows for each real: the director's verdict, or "maintenance".
 */
class StatusSnapshotTest {
    @TempDir Path dir;

    private static final Instant NOW = Instant.parse("2026-11-23T20:00:00Z");

    private Config parse(String text) throws Exception {
        Path f = dir.resolve("ldirectord.cf");
        Files.writeString(f, text);
        return ConfigParser.parse(f);
    }

    private static HealthBook.Entry entry(Health h) {
        return new HealthBook.Entry(
                h,
                0,
                0,
                Optional.of(CheckResult.up(Duration.ofMillis(1), "probed")),
                Optional.of(NOW),
                Optional.of(NOW));
    }

    private static List<String> words(StatusSnapshot s, int virtual) {
        return s.virtuals().get(virtual).reals().stream()
                .map(StatusSnapshot.RealStatus::health)
                .toList();
    }

    @Test
    void checkedRealsShowTheirHealthAndUnprobedOnesUnknown() throws Exception {
        Config c =
                parse(
                        """
                        virtual=10.77.0.100:80
                        \treal=10.77.1.11:80 masq 1
                        \treal=10.77.1.12:80 masq 1
                        \treal=10.77.1.13:80 masq 1
                        \treal=10.77.1.14:80 masq 1
                        \tchecktype=connect
                        """);
        VirtualConfig v = c.virtuals().get(0);
        ProbeKey up = ProbeKey.of(v, v.reals().get(0));
        ProbeKey down = ProbeKey.of(v, v.reals().get(1));
        ProbeKey upButMaintained = ProbeKey.of(v, v.reals().get(3));
        StatusSnapshot s =
                StatusSnapshot.of(
                        c,
                        Map.of(
                                up,
                                entry(Health.UP),
                                down,
                                entry(Health.DOWN),
                                upButMaintained,
                                entry(Health.UP)),
                        Set.of(upButMaintained),
                        List.of(),
                        NOW);
        assertEquals(List.of("up", "down", "unknown", "maintenance"), words(s, 0));
    }

    @Test
    void checktypeOnAndOffDecideWithoutAProbeButMaintenanceComesFirst() throws Exception {
        Config c =
                parse(
                        """
                        virtual=10.77.0.100:80
                        \treal=10.77.1.11:80 masq 1
                        \treal=10.77.1.12:80 masq 1
                        \tchecktype=on
                        virtual=10.77.0.101:80
                        \treal=10.77.1.11:80 masq 1
                        \tchecktype=off
                        """);
        VirtualConfig on = c.virtuals().get(0);
        VirtualConfig off = c.virtuals().get(1);
        ProbeKey onDown = ProbeKey.of(on, on.reals().get(0));
        ProbeKey onMaintained = ProbeKey.of(on, on.reals().get(1));
        ProbeKey offUp = ProbeKey.of(off, off.reals().get(0));
        StatusSnapshot s =
                StatusSnapshot.of(
                        c,
                        Map.of(onDown, entry(Health.DOWN), offUp, entry(Health.UP)),
                        Set.of(onMaintained),
                        List.of(),
                        NOW);
        assertEquals(List.of("up", "maintenance"), words(s, 0));
        assertEquals(List.of("down"), words(s, 1));
    }
}
