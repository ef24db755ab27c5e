package org.ldirector.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.check.ProbeTarget;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.HealthEvent;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;
import org.ldirector.reconcile.Reconciler;
import org.ldirector.schedule.ManualTicks;
import org.ldirector.sys.Errno;

class EngineTest {
    @TempDir Path dir;

    private final InMemoryIpvsTable table = new InMemoryIpvsTable();
    private final ManualTicks ticks = new ManualTicks();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<List<String>> commands = Collections.synchronizedList(new ArrayList<>());

    /** What the fake checker answers per real address; absent = down. */
    private final Map<String, Boolean> up = new ConcurrentHashMap<>();

    /**
     * The weight the fake checker asks for per real address (externalweight=yes); absent = none.
     */
    private final Map<String, Integer> asks = new ConcurrentHashMap<>();

    private final Checker checker =
            t ->
                    CompletableFuture.completedFuture(
                            !up.getOrDefault(t.realAddress().getHostAddress(), false)
                                    ? CheckResult.down(Duration.ofMillis(1), "connect refused")
                                    : asks.containsKey(t.realAddress().getHostAddress())
                                            ? CheckResult.upWithWeight(
                                                    Duration.ofMillis(1),
                                                    "external: exit "
                                                            + (asks.get(
                                                                            t.realAddress()
                                                                                    .getHostAddress())
                                                                    + 2),
                                                    asks.get(t.realAddress().getHostAddress()))
                                            : CheckResult.up(Duration.ofMillis(1), "HTTP 200"));
    private Engine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        loop.shutdownNow();
    }

    static final String NAT =
            """
            checktimeout=3
            checkinterval=5
            fallbackcommand="/usr/local/sbin/sorry"
            virtual=10.77.0.100:80
            \treal=10.77.1.11:80 masq 1
            \treal=10.77.1.12:80 masq 2
            \tfallback=10.77.1.99:80 masq
            \tservice=http
            \tchecktype=negotiate
            """;

    /**
     * The engine's parts as most tests want them: this fixture's table, checker, ticks, loop and
     * log, and a clock fixed at {@link #NOW}; each test replaces only the parts it is about.
     */
    private final class PartsBuilder {
        private IpvsTable table = EngineTest.this.table;
        private Function<ProbeTarget, Checker> checkers = t -> checker;
        private ScheduledExecutorService loop = EngineTest.this.loop;
        private Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

        PartsBuilder table(IpvsTable table) {
            this.table = table;
            return this;
        }

        PartsBuilder checkers(Function<ProbeTarget, Checker> checkers) {
            this.checkers = checkers;
            return this;
        }

        PartsBuilder loop(ScheduledExecutorService loop) {
            this.loop = loop;
            return this;
        }

        PartsBuilder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        Engine.Parts build() {
            return new Engine.Parts(table, checkers, ticks, loop, clock, log::add, commands::add);
        }
    }

    private static final Instant NOW = Instant.parse("2026-11-23T20:00:00Z");

    private PartsBuilder parts() {
        return new PartsBuilder();
    }

    private Config parse(String text) throws Exception {
        Path f = dir.resolve("ldirectord.cf");
        Files.writeString(f, text);
        return ConfigParser.parse(f);
    }

    private Engine start(String text) throws Exception {
        engine = new Engine(parse(text), parts().build());
        engine.start();
        return engine;
    }

    @Test
    void theListenerHearsProbesHealthChangesAndKernelOperationsWithTheirVirtual() throws Exception {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        engine =
                new Engine(
                        parse(NAT),
                        parts().build(),
                        new EngineListener() {
                            @Override
                            public void probed(
                                    VirtualConfig v, Real r, CheckResult result, Instant at) {
                                heard.add(
                                        "probed "
                                                + r.address().getHostAddress()
                                                + " "
                                                + result.reason()
                                                + " "
                                                + at);
                            }

                            @Override
                            public void healthChanged(VirtualConfig v, Real r, HealthEvent e) {
                                heard.add(
                                        "health " + r.address().getHostAddress() + " " + e.kind());
                            }

                            @Override
                            public void applied(
                                    Optional<VirtualConfig> v, Reconciler.Step step, boolean ok) {
                                heard.add(
                                        "applied "
                                                + v.map(c -> c.id().toString()).orElse("?")
                                                + " "
                                                + step.message()
                                                + " "
                                                + ok);
                            }
                        });
        engine.start();
        up.put("10.77.1.11", true);
        ticks.fireAll();
        engine.passNow();
        String vid = engine.config().virtuals().get(0).id().toString();
        assertTrue(
                heard.contains("applied " + vid + " Added virtual server: 10.77.0.100:80 true"),
                heard.toString());
        assertTrue(
                heard.contains("probed 10.77.1.11 HTTP 200 2026-11-23T20:00:00Z"),
                heard.toString());
        assertTrue(
                heard.contains("probed 10.77.1.12 connect refused 2026-11-23T20:00:00Z"),
                heard.toString());
        assertTrue(heard.contains("health 10.77.1.11 WENT_UP"), heard.toString());
        assertTrue(heard.contains("health 10.77.1.12 WENT_DOWN"), heard.toString());
        assertTrue(
                heard.contains(
                        "applied "
                                + vid
                                + " Added real server: 10.77.1.11:80 (10.77.0.100:80) (Weight set"
                                + " to 1) true"),
                heard.toString());
    }

    @Test
    void probingIsFalseOnlyWhenTheProbeTimersStoppedFiringForTwoIntervals() throws Exception {
        HandClock clock = new HandClock(0);
        AtomicLong now = clock.now;
        engine = new Engine(parse(NAT), parts().clock(clock).build());
        engine.start();
        assertTrue(engine.probing(), "just started: the first probes are still to come");
        now.addAndGet(
                11_001); // checkinterval=5: 2 intervals and 1 s grace have passed without a probe
        assertTrue(!engine.probing());
        ticks.fireAll();
        assertTrue(engine.probing());
    }

    /** One probe round, then whatever passes it triggered. */
    /**
     * Every probe runs once, then whatever passes their results asked for: the passes a health
     * change starts on its own, not a whole pass forced from outside.
     */
    private void round() throws Exception {
        ticks.fireAll();
        drain();
    }

    /**
     * Waits until the loop has run everything queued before now (the fake checker answers at once).
     */
    private void drain() throws Exception {
        loop.submit(() -> {}).get();
    }

    private String save() throws Exception {
        return table.saveText();
    }

    @Test
    void startAddsTheVirtualButNoRealBeforeItsFirstCheckAndNoFallbackFlap() throws Exception {
        start(NAT);
        assertEquals("-A -t 10.77.0.100:80 -s wrr\n", save());
        assertEquals(List.of("Added virtual server: 10.77.0.100:80"), log);
        assertEquals(List.of(), commands, "no fallback command before every real has a verdict");
    }

    @Test
    void realsComeAndGoAndTheFallbackServesOnlyWhenAllAreDown() throws Exception {
        start(NAT);
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        round();
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 1
                -a -t 10.77.0.100:80 -r 10.77.1.12:80 -m -w 2
                """,
                save());
        assertEquals(
                List.of(
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "stop",
                                "10.77.0.100:80",
                                "tcp")),
                commands);

        up.put("10.77.1.12", false);
        round();
        assertTrue(
                log.contains("Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"),
                log.toString());
        assertTrue(
                log.contains(
                        "Real server 10.77.1.12:80 (tcp:10.77.0.100:80) is down: connect refused"),
                log.toString());

        up.put("10.77.1.11", false);
        round();
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.99:80 -m -w 1
                """,
                save());
        assertTrue(
                log.contains(
                        "Added fallback server: 10.77.1.99:80 (10.77.0.100:80) (Weight set to 1)"),
                log.toString());
        assertEquals(
                List.of(
                        "/bin/sh",
                        "-c",
                        "/usr/local/sbin/sorry \"$@\"",
                        "sh",
                        "start",
                        "10.77.0.100:80",
                        "tcp"),
                commands.get(1));

        round();
        assertEquals(2, commands.size(), "the same state never runs the command twice");

        up.put("10.77.1.12", true);
        round();
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.12:80 -m -w 2
                """,
                save());
        assertTrue(
                log.contains("Deleted fallback server: 10.77.1.99:80 (10.77.0.100:80)"),
                log.toString());
        assertEquals(3, commands.size());
    }

    @Test
    void theWeightACheckAsksForReachesTheKernelAndChangesWithIt() throws Exception {
        start(NAT);
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        asks.put("10.77.1.11", 10);
        round();
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 10
                -a -t 10.77.0.100:80 -r 10.77.1.12:80 -m -w 2
                """,
                save());
        log.clear();
        asks.put("10.77.1.11", 4);
        round();
        assertTrue(save().contains("-r 10.77.1.11:80 -m -w 4\n"), save());
        assertTrue(
                log.contains(
                        "Real server 10.77.1.11:80 (tcp:10.77.0.100:80) weight set to 4 by its"
                                + " check: external: exit 6"),
                log.toString());
        asks.remove("10.77.1.11");
        round();
        assertTrue(
                save().contains("-r 10.77.1.11:80 -m -w 1\n"),
                "back to the configured weight: " + save());
    }

    @Test
    void failurecountDampensAndLogsSoftFailuresInLdirectordsWords() throws Exception {
        start(NAT.replace("checktimeout=3", "checktimeout=3\nfailurecount=2"));
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        round();
        up.put("10.77.1.11", false);
        round();
        assertTrue(
                log.contains(
                        "Soft failure real server: 10.77.1.11:80 (tcp:10.77.0.100:80) failure 1/2"),
                log.toString());
        assertTrue(save().contains("10.77.1.11"));
        up.put("10.77.1.11", true);
        round();
        assertTrue(
                log.contains("Resetting soft failure count: 10.77.1.11:80 (tcp:10.77.0.100:80)"),
                log.toString());
    }

    @Test
    void anUnchangedReloadMakesNoKernelOperationAndANewRealWaitsForItsCheck() throws Exception {
        start(NAT);
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        round();
        log.clear();
        engine.reload(parse(NAT)).get();
        assertEquals(List.of(), log, "unchanged config: zero kernel operations");

        String more =
                NAT.replace(
                        "\treal=10.77.1.12:80 masq 2\n",
                        "\treal=10.77.1.12:80 masq 2\n\treal=10.77.1.13:80 masq 3\n");
        engine.reload(parse(more)).get();
        assertEquals(
                List.of(),
                log,
                "the new real is not added before it passes a check; the others are untouched");
        up.put("10.77.1.13", true);
        round();
        assertEquals(
                List.of("Added real server: 10.77.1.13:80 (10.77.0.100:80) (Weight set to 3)"),
                log);
    }

    @Test
    void aVirtualRemovedFromTheConfigIsRemovedFromTheKernel() throws Exception {
        String two =
                NAT
                        + """
                        virtual=10.77.0.101:80
                        \treal=10.77.1.11:80 masq 1
                        \tchecktype=on
                        """;
        start(two);
        assertTrue(save().contains("-A -t 10.77.0.101:80"));
        engine.reload(parse(NAT)).get();
        assertTrue(!save().contains("10.77.0.101"), save());
        assertTrue(log.contains("Purged virtual server (reload): 10.77.0.101:80"), log.toString());
    }

    @Test
    void startAdoptsExistingEntriesWithoutResettingThem() throws Exception {
        ServiceKey vip = ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.77.0.100"), 80);
        table.addService(VirtualService.of(vip, "wrr"));
        table.addDestination(
                vip, Destination.of(InetAddress.getByName("10.77.1.11"), 80, Forwarding.MASQ, 1));
        table.addDestination(
                vip, Destination.of(InetAddress.getByName("10.77.1.12"), 80, Forwarding.MASQ, 2));
        String before = save();
        start(NAT);
        assertEquals(before, save());
        assertEquals(List.of(), log, "a restart touches nothing that is already right");
    }

    @Test
    void driftIsRepairedOnTheNextPass() throws Exception {
        start(NAT);
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        round();
        table.flush();
        log.clear();
        engine.passNow();
        assertEquals(3, log.stream().filter(l -> l.endsWith("(repair)")).count(), log.toString());
        assertTrue(save().contains("10.77.1.12:80 -m -w 2"));
    }

    @Test
    void aHealthChangeReadsBackOnlyTheVirtualsOfTheRealThatChangedAndTheWholePassRepairsTheRest()
            throws Exception {
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        IpvsTable counting =
                (IpvsTable)
                        Proxy.newProxyInstance(
                                IpvsTable.class.getClassLoader(),
                                new Class<?>[] {IpvsTable.class},
                                (proxy, method, args) -> {
                                    String what =
                                            method.getName().equals("destinations")
                                                    ? "destinations " + args[0]
                                                    : method.getName();
                                    reads.merge(what, 1, Integer::sum);
                                    try {
                                        return method.invoke(table, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
        // checkinterval 60: the whole pass of the interval (on the real loop's clock) does not
        // come between the reads counted here
        engine =
                new Engine(
                        parse(
                                """
                                checkinterval=60
                                virtual=10.77.0.100:80
                                \treal=10.77.1.11:80 masq 1
                                \tservice=http
                                \tchecktype=negotiate
                                virtual=10.77.0.101:80
                                \treal=10.77.1.12:80 masq 1
                                \tservice=http
                                \tchecktype=negotiate
                                """),
                        parts().table(counting).clock(Clock.systemUTC()).build());
        engine.start();
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        round();
        ServiceKey a = ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.77.0.100"), 80);
        ServiceKey b = ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.77.0.101"), 80);
        table.deleteDestination(
                b, new Destination.DestinationKey(InetAddress.getByName("10.77.1.12"), 80));
        reads.clear();

        up.put("10.77.1.11", false);
        round();
        assertEquals(
                Map.of("services", 1, "destinations " + a, 1, "apply", 1),
                reads,
                "one service list, the changed virtual's destinations, one batch of operations");
        assertEquals(
                "-A -t 10.77.0.100:80 -s wrr\n-A -t 10.77.0.101:80 -s wrr\n",
                save(),
                "10.77.1.11 left; 10.77.0.101's drift waits for the whole pass");
        assertTrue(
                log.contains("Deleted real server: 10.77.1.11:80 (10.77.0.100:80)"),
                log.toString());

        engine.passNow();
        assertTrue(save().contains("-a -t 10.77.0.101:80 -r 10.77.1.12:80 -m -w 1"), save());
        assertTrue(
                log.contains(
                        "Added real server: 10.77.1.12:80 (10.77.0.101:80) (Weight set to 1)"
                                + " (repair)"),
                log.toString());
    }

    /**
     * Time moved by hand, and by {@code step} ms at every reading of {@link #millis()} when
     * non-zero.
     */
    static final class HandClock extends Clock {
        final AtomicLong now = new AtomicLong(1_000_000);
        private final long step;

        HandClock(long step) {
            this.step = step;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return now.addAndGet(step);
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    }

    /**
     * A loop that notes the delay of every delayed one-shot it is given, and when it ends by the
     * clock's last reading.
     */
    static final class RecordingLoop extends ScheduledThreadPoolExecutor {
        final List<Long> delays = new CopyOnWriteArrayList<>();
        final List<Long> dueAt = new CopyOnWriteArrayList<>();
        private final HandClock clock;

        RecordingLoop(HandClock clock) {
            super(1);
            this.clock = clock;
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable r, long delay, TimeUnit unit) {
            if (delay > 0) { // submit and execute come here with no delay
                delays.add(unit.toMillis(delay));
                dueAt.add(clock.now.get() + unit.toMillis(delay));
            }
            return super.schedule(r, delay, unit);
        }
    }

    /** Regression (issue 8): at 10,000 reals on one CPU a pass every second starved the probes. */
    @Test
    void aSlowPassMakesThePeriodicPassWaitTwentyTimesItsDuration() throws Exception {
        // every reading of the clock is 400 ms after the last: the repair pass reads it before and
        // after
        HandClock crawling = new HandClock(400);
        RecordingLoop slow = new RecordingLoop(crawling);
        try {
            engine =
                    new Engine(
                            parse(NAT.replace("checkinterval=5", "checkinterval=1")),
                            parts().loop(slow).clock(crawling).build());
            engine.start();
            assertEquals(1, slow.delays.size(), slow.delays.toString());
            long first = slow.delays.get(0);
            assertTrue(
                    first > 0 && first <= 1000,
                    "the first periodic pass is within one interval of the start: " + first);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (slow.delays.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, slow.delays.size(), slow.delays.toString());
            long rest = slow.delays.get(1);
            assertTrue(
                    rest >= 8000 && rest < 9000,
                    "a 400 ms pass is followed by at least 20 x 400 ms of rest: " + rest);
            for (long due : slow.dueAt) {
                assertEquals(
                        0,
                        due % 1000,
                        "passes are due on whole seconds, with the config poll: " + slow.dueAt);
            }
        } finally {
            engine.close();
            engine = null;
            slow.shutdownNow();
        }
    }

    @Test
    void aMaintenanceFileTakesTheRealOutWithoutAProbe() throws Exception {
        Path maint = Files.createDirectory(dir.resolve("maint"));
        start("maintenancedir=" + maint + "\n" + NAT);
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        round();
        Files.createFile(maint.resolve("10.77.1.11"));
        round();
        assertTrue(!save().contains("10.77.1.11"), save());
        Files.delete(maint.resolve("10.77.1.11"));
        round();
        assertTrue(save().contains("10.77.1.11"), save());
    }

    @Test
    void quiescentKeepsAFailedRealWithWeightZero() throws Exception {
        start(NAT.replace("\tchecktype=negotiate\n", "\tchecktype=negotiate\n\tquiescent=yes\n"));
        up.put("10.77.1.11", true);
        up.put("10.77.1.12", true);
        round();
        up.put("10.77.1.12", false);
        round();
        assertTrue(save().contains("-r 10.77.1.12:80 -m -w 0"), save());
        assertTrue(
                log.contains(
                        "Quiescent real server: 10.77.1.12:80 (10.77.0.100:80) (Weight set to 0)"),
                log.toString());
    }

    /**
     * ldirectord's start lists every real of a quiescent virtual; one whose first check fails stays
     * at weight 0.
     */
    @Test
    void quiescentAddsARealWhoseFirstCheckFailsAtWeightZeroAsLdirectordsStartDoes()
            throws Exception {
        start(NAT.replace("\tchecktype=negotiate\n", "\tchecktype=negotiate\n\tquiescent=yes\n"));
        assertEquals(
                "-A -t 10.77.0.100:80 -s wrr\n",
                save(),
                "before any verdict no real is in the table");
        up.put("10.77.1.11", true);
        round();
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 1
                -a -t 10.77.0.100:80 -r 10.77.1.12:80 -m -w 0
                """,
                save());
        assertTrue(
                log.contains(
                                "Quiescent real server: 10.77.1.12:80 (10.77.0.100:80) (Weight set"
                                        + " to 0)")
                        || log.stream()
                                .anyMatch(
                                        l ->
                                                l.contains("10.77.1.12:80")
                                                        && l.contains("Weight set to 0")),
                log.toString());
        up.put("10.77.1.12", true);
        round();
        assertTrue(save().contains("-r 10.77.1.12:80 -m -w 2"), save());
    }

    /**
     * A verdict that lands while a pass applies its steps was not part of that pass's decision, so
     * it is not yet in the table: a quiescent real whose first check fails just then must still be
     * added at weight 0 by the next pass, even with readdquiescent=no.
     */
    @Test
    void aQuiescentRealWhoseFirstFailureLandsWhileAPassAppliesIsStillAddedAtWeightZero()
            throws Exception {
        CompletableFuture<CheckResult> late = new CompletableFuture<>();
        // The first add (real1 up) lets real2's failure land in the middle of that pass.
        IpvsTable landing =
                (IpvsTable)
                        Proxy.newProxyInstance(
                                IpvsTable.class.getClassLoader(),
                                new Class<?>[] {IpvsTable.class},
                                (proxy, method, args) -> {
                                    try {
                                        return method.invoke(table, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    } finally {
                                        if (method.getName().equals("apply")
                                                && args[0] instanceof List<?> ops
                                                && ops.stream()
                                                        .anyMatch(
                                                                o ->
                                                                        o
                                                                                instanceof
                                                                                IpvsOp
                                                                                        .AddDestination)) {
                                            late.complete(
                                                    CheckResult.down(
                                                            Duration.ofMillis(1),
                                                            "connect refused"));
                                        }
                                    }
                                });
        Checker split =
                t ->
                        t.realAddress().getHostAddress().equals("10.77.1.12")
                                ? late
                                : CompletableFuture.completedFuture(
                                        CheckResult.up(Duration.ofMillis(1), "HTTP 200"));
        engine =
                new Engine(
                        parse(
                                NAT.replace(
                                        "\tchecktype=negotiate\n",
                                        "\tchecktype=negotiate\n\tquiescent=yes\n")),
                        parts().table(landing).checkers(t -> split).build());
        engine.start();
        ticks.fireAll();
        drain(); // the pass real1's verdict asked for, during which real2's failure lands
        drain(); // the pass real2's failure asked for
        assertTrue(late.isDone(), "the failure was to land during the first pass");
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 1
                -a -t 10.77.0.100:80 -r 10.77.1.12:80 -m -w 0
                """,
                save(),
                log.toString());
    }

    /**
     * readdquiescent=no (the default): once placed, a quiesced real an operator deleted stays
     * deleted.
     */
    @Test
    void aQuiescedRealDeletedByHandAfterItsFirstVerdictStaysDeleted() throws Exception {
        start(NAT.replace("\tchecktype=negotiate\n", "\tchecktype=negotiate\n\tquiescent=yes\n"));
        up.put("10.77.1.11", true);
        round();
        assertTrue(save().contains("-r 10.77.1.12:80 -m -w 0"), save());
        table.deleteDestination(
                ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.77.0.100"), 80),
                new Destination.DestinationKey(InetAddress.getByName("10.77.1.12"), 80));
        up.put("10.77.1.11", false);
        round();
        up.put("10.77.1.11", true);
        round();
        assertTrue(!save().contains("10.77.1.12"), save());
    }

    /**
     * quiescent=no keeps the start rule: a real that never passed is never added, so nothing flaps.
     */
    @Test
    void withoutQuiescentARealWhoseFirstCheckFailsIsNeverAdded() throws Exception {
        start(NAT);
        up.put("10.77.1.11", true);
        round();
        assertTrue(!save().contains("10.77.1.12"), save());
        assertTrue(
                log.stream().noneMatch(l -> l.contains("10.77.1.12:80 (10.77.0.100:80) (Weight")),
                log.toString());
    }

    @Test
    void aKernelErrorOnOneVirtualDoesNotStopTheOthers() throws Exception {
        start(
                """
                virtual=10.77.0.100:80
                \treal=10.77.1.11:80 masq 1
                \tscheduler=nosuchsched
                \tchecktype=on
                virtual=10.77.0.101:80
                \treal=10.77.1.11:80 masq 1
                \tchecktype=on
                """);
        assertTrue(save().contains("-A -t 10.77.0.101:80"), save());
        assertTrue(
                log.stream()
                        .anyMatch(
                                l -> l.startsWith("Failed: Added virtual server: 10.77.0.100:80")),
                log.toString());
    }

    /**
     * The in-memory table, made to refuse every operation on the services whose port is in {@code
     * failing} with EINVAL, as a kernel would refuse one service's values.
     */
    private IpvsTable failingFor(Set<Integer> failing, List<String> attempts) {
        return (IpvsTable)
                Proxy.newProxyInstance(
                        IpvsTable.class.getClassLoader(),
                        new Class<?>[] {IpvsTable.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("apply")) {
                                List<IpvsTable.OpResult> out = new ArrayList<>();
                                for (Object o : (List<?>) args[0]) {
                                    IpvsOp op = (IpvsOp) o;
                                    attempts.add(
                                            op.getClass().getSimpleName()
                                                    + " "
                                                    + op.service().port());
                                    if (!op.service().isFwmark()
                                            && failing.contains(op.service().port())) {
                                        out.add(
                                                new IpvsTable.OpResult(
                                                        op, IpvsException.forOp(op, Errno.EINVAL)));
                                    } else {
                                        out.addAll(table.apply(List.of(op)));
                                    }
                                }
                                return out;
                            }
                            try {
                                return method.invoke(table, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
    }

    @Test
    void aVirtualTheKernelRefusesIsLoggedOncePerChangeRetriedEveryPassAndKeepsNoOtherOut()
            throws Exception {
        Set<Integer> failing = ConcurrentHashMap.newKeySet();
        failing.add(80);
        List<String> attempts = Collections.synchronizedList(new ArrayList<>());
        engine =
                new Engine(
                        parse(
                                """
                                virtual=10.77.0.100:80
                                \treal=10.77.1.11:80 masq 1
                                \tchecktype=on
                                virtual=10.77.0.100:81
                                \treal=10.77.1.11:81 masq 1
                                \tchecktype=on
                                """),
                        parts().table(failingFor(failing, attempts)).build());
        engine.start();
        engine.passNow();
        engine.passNow();
        assertTrue(save().contains("-A -t 10.77.0.100:81"), save());
        assertTrue(save().contains("-a -t 10.77.0.100:81 -r 10.77.1.11:81 -m -w 1"), save());
        long addService80 = attempts.stream().filter(a -> a.equals("AddService 80")).count();
        assertEquals(3, addService80, "tried on every pass: " + attempts);
        assertEquals(
                1,
                log.stream()
                        .filter(l -> l.startsWith("Failed: Added virtual server: 10.77.0.100:80:"))
                        .count(),
                log.toString());
        failing.clear();
        engine.passNow();
        assertTrue(save().contains("-A -t 10.77.0.100:80"), save());
        assertTrue(
                log.stream().anyMatch(l -> l.startsWith("Added virtual server: 10.77.0.100:80")),
                log.toString());
    }

    @Test
    void aVirtualTheDirectorCannotBuildIsLoggedOnceAndTheOthersAreStillProgrammed()
            throws Exception {
        Config parsed =
                parse(
                        """
                        virtual=10.77.0.100:80
                        \treal=10.77.1.11:80 masq 1
                        \tchecktype=on
                        virtual=10.77.0.100:81
                        \treal=10.77.1.11:81 masq 1
                        \tchecktype=on
                        """);
        // what the parser now refuses, built by hand: a schedflags word the director cannot turn
        // into bits
        VirtualConfig v = parsed.virtuals().get(0);
        VirtualConfig broken =
                new VirtualConfig(
                        v.line(),
                        v.family(),
                        v.protocol(),
                        v.address(),
                        v.port(),
                        v.fwmark(),
                        v.written(),
                        v.check(),
                        v.checkInterval(),
                        v.checkIntervalOwn(),
                        v.failureCount(),
                        v.scheduler(),
                        Optional.of("bogus"),
                        v.persistent(),
                        v.netmask(),
                        v.ops(),
                        v.reals(),
                        v.fallback(),
                        v.fallbackCommand(),
                        v.quiescent(),
                        v.cleanstop(),
                        v.emailAlert(),
                        v.monitorFile(),
                        v.serviceName(),
                        v.comment(),
                        v.successCount());
        Config config =
                new Config(
                        parsed.source(),
                        parsed.global(),
                        List.of(broken, parsed.virtuals().get(1)),
                        parsed.warnings());
        table.addService(
                VirtualService.of(
                        ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.77.0.100"), 80),
                        "wrr"));
        engine = new Engine(config, parts().build());
        engine.start();
        engine.passNow();
        assertTrue(save().contains("-a -t 10.77.0.100:81 -r 10.77.1.11:81 -m -w 1"), save());
        assertTrue(
                save().contains("-A -t 10.77.0.100:80 -s wrr"),
                "what the broken virtual owns is not purged: " + save());
        assertEquals(
                1,
                log.stream()
                        .filter(
                                l ->
                                        l.startsWith(
                                                "Cannot program virtual service 10.77.0.100:80"
                                                    + " (line 1): unknown scheduler flag 'bogus'"))
                        .count(),
                log.toString());
        assertEquals(
                2, engine.status().virtuals().size(), "status answers, for the broken virtual too");
    }

    @Test
    void aRealSharedByTwoVirtualsWithTheSameCheckIsProbedOnceAndServesBoth() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        engine =
                new Engine(
                        parse(
                                """
                                virtual=10.77.0.100:80
                                \treal=10.77.1.11:80 masq 1
                                \tservice=http
                                \tchecktype=negotiate
                                virtual=10.77.0.101:80
                                \treal=10.77.1.11:80 masq 3
                                \tservice=http
                                \tchecktype=negotiate
                                """),
                        parts().checkers(
                                        t ->
                                                target -> {
                                                    probes.incrementAndGet();
                                                    return checker.check(target);
                                                })
                                .clock(Clock.systemUTC())
                                .build());
        engine.start();
        assertEquals(1, ticks.timers.size(), "one timer for the shared real");
        up.put("10.77.1.11", true);
        round();
        assertEquals(1, probes.get());
        assertTrue(save().contains("-a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 1"), save());
        assertTrue(save().contains("-a -t 10.77.0.101:80 -r 10.77.1.11:80 -m -w 3"), save());
    }

    @Test
    void ipv6VirtualsAreProgrammedLikeAnyOther() throws Exception {
        start(
                """
                virtual6=[2001:db8::100]:80
                \treal6=[2001:db8:1::11]:80 masq 2
                \tchecktype=on
                """);
        assertEquals(
                """
                -A -t [2001:db8::100]:80 -s wrr
                -a -t [2001:db8::100]:80 -r [2001:db8:1::11]:80 -m -w 2
                """,
                save());
        assertTrue(
                log.contains(
                        "Added real server: [2001:db8:1::11]:80 ([2001:db8::100]:80) (Weight set to"
                                + " 2)"),
                log.toString());
    }

    /**
     * DNS on one VIP:port over tcp and udp, one with its real up and one without: three unchanged
     * passes run the fallback command once per virtual. When the two shared one identity the
     * command ran on every pass, alternating start and stop.
     */
    @Test
    void tcpAndUdpOnOneAddressAndPortRunTheFallbackCommandOncePerVirtual() throws Exception {
        start(
                """
                fallbackcommand="/usr/local/sbin/sorry"
                virtual=10.77.0.53:53
                \treal=10.77.1.11:53 masq
                \tprotocol=tcp
                \tchecktype=on
                virtual=10.77.0.53:53
                \treal=10.77.1.12:53 masq
                \tprotocol=udp
                \tchecktype=off
                """);
        for (int pass = 0; pass < 3; pass++) {
            engine.passNow();
        }
        assertEquals(
                List.of(
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "stop",
                                "10.77.0.53:53",
                                "tcp"),
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "start",
                                "10.77.0.53:53",
                                "udp")),
                commands);
        assertEquals(
                """
                -A -t 10.77.0.53:53 -s wrr
                -a -t 10.77.0.53:53 -r 10.77.1.11:53 -m -w 1
                -A -u 10.77.0.53:53 -s wrr
                """,
                save());
        List<String> ids =
                engine.status().virtuals().stream().map(StatusSnapshot.Virtual::id).toList();
        assertEquals(List.of("tcp:10.77.0.53:53", "udp:10.77.0.53:53"), ids);
    }

    @Test
    void aMarkAbove2To31IsUnsignedInLogsAndStatus() throws Exception {
        start(
                """
                checktimeout=3
                checkinterval=5
                failurecount=2
                virtual=3000000000
                \treal=10.77.1.11:80 masq
                \tchecktype=connect
                """);
        up.put("10.77.1.11", true);
        round();
        up.put("10.77.1.11", false);
        round();
        assertTrue(log.contains("Added virtual server: 3000000000"), log.toString());
        assertTrue(
                log.contains("Added real server: 10.77.1.11:80 (3000000000) (Weight set to 1)"),
                log.toString());
        assertTrue(
                log.contains(
                        "Soft failure real server: 10.77.1.11:80 (fwm:3000000000) failure 1/2"),
                log.toString());
        StatusSnapshot.Virtual v = engine.status().virtuals().get(0);
        assertEquals("fwm:3000000000", v.id());
        assertEquals("10.77.1.11:80", v.reals().get(0).id());
        assertTrue(log.stream().noneMatch(l -> l.contains("-1294967296")), log.toString());
    }
}
