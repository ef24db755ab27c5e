package org.ldirector.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.engine.Engine;
import org.ldirector.health.Health;
import org.ldirector.health.HealthEvent;
import org.ldirector.health.ProbeKey;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Family;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.reconcile.Reconciler;
import org.ldirector.schedule.ManualTicks;

class MetricsTest {
    @TempDir Path dir;

    static final String TWO_REALS =
            """
            checkinterval=5
            virtual=10.77.0.100:80
            \treal=10.77.1.11:80 masq 1
            \treal=10.77.1.12:80 masq 2
            \tchecktype=connect
            """;

    private Config parse(String text) throws Exception {
        Path f = dir.resolve("ldirectord.cf");
        Files.writeString(f, text);
        return ConfigParser.parse(f);
    }

    private static HealthEvent event(VirtualConfig v, Real r, HealthEvent.Kind kind, Health to) {
        return new HealthEvent(
                ProbeKey.of(v, r),
                kind,
                Health.UNKNOWN,
                to,
                1,
                1,
                CheckResult.up(Duration.ZERO, "x"));
    }

    @Test
    void scrapeShowsHealthProbesTransitionsOperationsAndReloadsInTheExpositionFormat()
            throws Exception {
        Config c = parse(TWO_REALS);
        VirtualConfig v = c.virtuals().get(0);
        Real a = v.reals().get(0);
        Real b = v.reals().get(1);
        Metrics m = new Metrics("1.2.3");
        m.configured(c);
        Instant at = Instant.parse("2026-11-24T00:00:00Z");
        m.probed(v, a, CheckResult.up(Duration.ofMillis(2), "connected"), at);
        m.probed(v, b, CheckResult.down(Duration.ofMillis(300), "connect refused"), at);
        m.healthChanged(v, a, event(v, a, HealthEvent.Kind.WENT_UP, Health.UP));
        m.healthChanged(v, b, event(v, b, HealthEvent.Kind.WENT_DOWN, Health.DOWN));
        m.healthChanged(v, b, event(v, b, HealthEvent.Kind.SOFT_FAILURE, Health.DOWN));
        IpvsOp add = new IpvsOp.DeleteService(ServiceKey.fwmark(1, Family.INET));
        m.applied(Optional.of(v), new Reconciler.Step(add, "x", false), true);
        m.applied(Optional.of(v), new Reconciler.Step(add, "x", true), true);
        m.applied(Optional.empty(), new Reconciler.Step(add, "x", true), false);
        m.reloaded(true);
        m.reloaded(false);
        m.reloaded(false);
        m.probesWaiting(() -> 7);

        String text = m.scrape();
        assertTrue(
                text.startsWith(
                        """
                        # HELP ldirector_build_info The running ldirector version.
                        # TYPE ldirector_build_info gauge
                        ldirector_build_info{version="1.2.3"} 1
                        # HELP ldirector_real_up 1 if the checks put the real server in service, 0 if they took it out; absent before the first verdict.
                        # TYPE ldirector_real_up gauge
                        ldirector_real_up{virtual="tcp:10.77.0.100:80",real="10.77.1.11:80"} 1
                        ldirector_real_up{virtual="tcp:10.77.0.100:80",real="10.77.1.12:80"} 0
                        # HELP ldirector_probe_last_latency_seconds How long the real server's last check took.
                        # TYPE ldirector_probe_last_latency_seconds gauge
                        ldirector_probe_last_latency_seconds{virtual="tcp:10.77.0.100:80",real="10.77.1.11:80"} 0.002
                        ldirector_probe_last_latency_seconds{virtual="tcp:10.77.0.100:80",real="10.77.1.12:80"} 0.3
                        # HELP ldirector_probes_total Checks of the real server, by result.
                        # TYPE ldirector_probes_total counter
                        ldirector_probes_total{virtual="tcp:10.77.0.100:80",real="10.77.1.11:80",result="up"} 1
                        ldirector_probes_total{virtual="tcp:10.77.0.100:80",real="10.77.1.11:80",result="down"} 0
                        ldirector_probes_total{virtual="tcp:10.77.0.100:80",real="10.77.1.12:80",result="up"} 0
                        ldirector_probes_total{virtual="tcp:10.77.0.100:80",real="10.77.1.12:80",result="down"} 1
                        # HELP ldirector_real_transitions_total Times the real server was put in or taken out of service.
                        # TYPE ldirector_real_transitions_total counter
                        ldirector_real_transitions_total{virtual="tcp:10.77.0.100:80",real="10.77.1.11:80",to="up"} 1
                        ldirector_real_transitions_total{virtual="tcp:10.77.0.100:80",real="10.77.1.11:80",to="down"} 0
                        ldirector_real_transitions_total{virtual="tcp:10.77.0.100:80",real="10.77.1.12:80",to="up"} 0
                        ldirector_real_transitions_total{virtual="tcp:10.77.0.100:80",real="10.77.1.12:80",to="down"} 1
                        # HELP ldirector_probe_duration_seconds How long checks took, per virtual service.
                        # TYPE ldirector_probe_duration_seconds histogram
                        """),
                text);
        assertTrue(
                text.endsWith(
                        """
                        # HELP ldirector_kernel_operations_total IPVS table changes ldirector made, by kind and result.
                        # TYPE ldirector_kernel_operations_total counter
                        ldirector_kernel_operations_total{op="delete_service",result="failed"} 1
                        ldirector_kernel_operations_total{op="delete_service",result="ok"} 2
                        # HELP ldirector_probes_waiting Checks due but not started yet; above 0 for long, the director is short of CPU and checks reals less often.
                        # TYPE ldirector_probes_waiting gauge
                        ldirector_probes_waiting 7
                        # HELP ldirector_kernel_repairs_total Table entries changed by someone else and put back.
                        # TYPE ldirector_kernel_repairs_total counter
                        ldirector_kernel_repairs_total 1
                        # HELP ldirector_config_reloads_total Configuration reloads; failed ones kept the running config.
                        # TYPE ldirector_config_reloads_total counter
                        ldirector_config_reloads_total{result="ok"} 1
                        ldirector_config_reloads_total{result="failed"} 2
                        """),
                text);
    }

    @Test
    void histogramBucketsAreCumulativeWithSumAndCount() throws Exception {
        Config c = parse(TWO_REALS);
        VirtualConfig v = c.virtuals().get(0);
        Metrics m = new Metrics("dev");
        m.configured(c);
        Instant at = Instant.EPOCH;
        for (long ms : new long[] {1, 3, 3, 40, 7000, 20000}) {
            m.probed(v, v.reals().get(0), CheckResult.up(Duration.ofMillis(ms), "ok"), at);
        }
        String l = "ldirector_probe_duration_seconds_bucket{virtual=\"tcp:10.77.0.100:80\",le=";
        String text = m.scrape();
        for (String line :
                List.of(
                        l + "\"0.001\"} 1",
                        l + "\"0.0025\"} 1",
                        l + "\"0.005\"} 3",
                        l + "\"0.025\"} 3",
                        l + "\"0.05\"} 4",
                        l + "\"5\"} 4",
                        l + "\"10\"} 5",
                        l + "\"+Inf\"} 6",
                        "ldirector_probe_duration_seconds_sum{virtual=\"tcp:10.77.0.100:80\"}"
                                + " 27.047",
                        "ldirector_probe_duration_seconds_count{virtual=\"tcp:10.77.0.100:80\"}"
                                + " 6")) {
            assertTrue(text.contains(line + "\n"), line + " in\n" + text);
        }
    }

    @Test
    void aReloadDropsTheSeriesOfRealsAndVirtualsNoLongerConfigured() throws Exception {
        Config before = parse(TWO_REALS);
        VirtualConfig v = before.virtuals().get(0);
        Metrics m = new Metrics("dev");
        m.configured(before);
        for (Real r : v.reals()) {
            m.probed(v, r, CheckResult.up(Duration.ofMillis(1), "ok"), Instant.EPOCH);
        }
        assertTrue(m.scrape().contains("real=\"10.77.1.12:80\""));
        m.configured(parse(TWO_REALS.replace("\treal=10.77.1.12:80 masq 2\n", "")));
        // a late probe of the removed real (already running when the reload came) brings nothing
        // back
        m.probed(v, v.reals().get(1), CheckResult.up(Duration.ofMillis(1), "ok"), Instant.EPOCH);
        String text = m.scrape();
        assertFalse(text.contains("10.77.1.12"), text);
        assertTrue(text.contains("real=\"10.77.1.11:80\""), text);
        m.configured(parse("checkinterval=5\n"));
        assertFalse(m.scrape().contains("ldirector_probe_duration_seconds_bucket"), m.scrape());
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewlineAndOperationKindsAreSnakeCase() {
        assertEquals("a\\\\b\\\"c\\nd", Metrics.escape("a\\b\"c\nd"));
        ServiceKey key = ServiceKey.fwmark(1, Family.INET);
        assertEquals(
                "add_destination",
                Metrics.kind(
                        new IpvsOp.AddDestination(
                                key,
                                Destination.of(
                                        InetAddress.getLoopbackAddress(),
                                        80,
                                        Forwarding.MASQ,
                                        1))));
        assertEquals("delete_service", Metrics.kind(new IpvsOp.DeleteService(key)));
    }

    @Test
    void throughTheEngineTheMetricsCountWhatTheDirectorDid() throws Exception {
        InMemoryIpvsTable table = new InMemoryIpvsTable();
        ManualTicks ticks = new ManualTicks();
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        Map<String, Boolean> up = new ConcurrentHashMap<>(Map.of("10.77.1.11", true));
        Checker checker =
                t ->
                        CompletableFuture.completedFuture(
                                up.getOrDefault(t.realAddress().getHostAddress(), false)
                                        ? CheckResult.up(Duration.ofMillis(1), "connected")
                                        : CheckResult.down(Duration.ofMillis(1), "refused"));
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Metrics m = new Metrics("dev");
        try (Engine engine =
                new Engine(
                        parse(TWO_REALS),
                        new Engine.Parts(
                                table,
                                t -> checker,
                                ticks,
                                loop,
                                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC),
                                log::add,
                                argv -> {}),
                        m)) {
            engine.start();
            ticks.fireAll();
            engine.passNow();
            String text = m.scrape();
            assertTrue(
                    text.contains(
                            "ldirector_real_up{virtual=\"tcp:10.77.0.100:80\",real=\"10.77.1.11:80\"}"
                                + " 1\n"),
                    text);
            assertTrue(
                    text.contains(
                            "ldirector_real_up{virtual=\"tcp:10.77.0.100:80\",real=\"10.77.1.12:80\"}"
                                + " 0\n"),
                    text);
            assertTrue(
                    text.contains(
                            "ldirector_kernel_operations_total{op=\"add_service\",result=\"ok\"}"
                                    + " 1\n"),
                    text);
            assertTrue(
                    text.contains(
                            "ldirector_kernel_operations_total{op=\"add_destination\",result=\"ok\"}"
                                + " 1\n"),
                    text);

            // someone deletes the real by hand: the next pass puts it back and counts a repair
            table.apply(
                    List.of(
                            new IpvsOp.DeleteDestination(
                                    table.dump().get(0).entry().service().key(),
                                    table.dump()
                                            .get(0)
                                            .destinations()
                                            .get(0)
                                            .destination()
                                            .key())));
            engine.passNow();
            text = m.scrape();
            assertTrue(
                    text.contains(
                            "ldirector_kernel_operations_total{op=\"add_destination\",result=\"ok\"}"
                                + " 2\n"),
                    text);
            assertTrue(text.contains("ldirector_kernel_repairs_total 1\n"), text);
        } finally {
            loop.shutdownNow();
        }
    }
}
