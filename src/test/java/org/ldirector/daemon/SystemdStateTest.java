package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.DaemonState;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.Health;
import org.ldirector.health.HealthEvent;
import org.ldirector.health.ProbeKey;

class SystemdStateTest {
    @TempDir Path dir;

    private Config parse(String text) throws Exception {
        Path f = dir.resolve("ldirectord.cf");
        Files.writeString(f, text);
        return ConfigParser.parse(f);
    }

    private static HealthEvent event(VirtualConfig v, Real r, HealthEvent.Kind kind) {
        return new HealthEvent(
                ProbeKey.of(v, r),
                kind,
                Health.UNKNOWN,
                Health.UP,
                1,
                1,
                CheckResult.up(Duration.ZERO, "x"));
    }

    @Test
    void readyReloadingStoppingAndAStatusLineThatFollowsTheReals() throws Exception {
        List<String> sent = new ArrayList<>();
        SystemdState s = new SystemdState(sent::add);
        Config c =
                parse(
                        "virtual=10.77.0.100:80\n"
                                + "\treal=10.77.1.11:80 masq\n"
                                + "\treal=10.77.1.12:80 masq\n");
        VirtualConfig v = c.virtuals().get(0);
        s.configured(c);
        s.daemonState(DaemonState.STARTING);
        s.healthChanged(v, v.reals().get(0), event(v, v.reals().get(0), HealthEvent.Kind.WENT_UP));
        s.daemonState(DaemonState.RUNNING);
        s.healthChanged(v, v.reals().get(1), event(v, v.reals().get(1), HealthEvent.Kind.WENT_UP));
        s.healthChanged(
                v, v.reals().get(1), event(v, v.reals().get(1), HealthEvent.Kind.SOFT_FAILURE));
        s.healthChanged(
                v, v.reals().get(0), event(v, v.reals().get(0), HealthEvent.Kind.WENT_DOWN));
        s.daemonState(DaemonState.RELOADING);
        s.configured(
                parse(
                        "virtual=10.77.0.100:80\n\treal=10.77.1.12:80 masq\n"
                                + "virtual=10.77.0.101:80\n\treal=10.77.1.13:80 masq\n"));
        s.daemonState(DaemonState.RUNNING);
        s.daemonState(DaemonState.STOPPING);

        assertEquals(7, sent.size(), sent.toString());
        assertEquals("STATUS=1 virtual service, 1/2 real servers up", sent.get(0));
        assertEquals("READY=1\nSTATUS=1 virtual service, 1/2 real servers up", sent.get(1));
        assertEquals("STATUS=1 virtual service, 2/2 real servers up", sent.get(2));
        assertEquals("STATUS=1 virtual service, 1/2 real servers up", sent.get(3));
        assertTrue(
                sent.get(4)
                        .matches(
                                "RELOADING=1\n"
                                        + "MONOTONIC_USEC=\\d+\n"
                                        + "STATUS=Reloading the configuration"),
                sent.get(4));
        assertEquals("READY=1\nSTATUS=2 virtual services, 1/2 real servers up", sent.get(5));
        assertEquals("STOPPING=1\nSTATUS=Stopping", sent.get(6));
    }
}
