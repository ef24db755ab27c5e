package org.ldirector.director;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.Health;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.VirtualService;

class DirectorTest {
    @TempDir Path dir;

    /** Verdicts by real address; anything not listed is UNKNOWN. */
    static final class Book implements Director.Verdicts {
        final Map<String, Health> health = new HashMap<>();
        final Set<String> maintenance = new HashSet<>();

        Book set(String ip, Health h) {
            health.put(ip, h);
            return this;
        }

        @Override
        public Health health(VirtualConfig v, Real r) {
            return health.getOrDefault(r.address().getHostAddress(), Health.UNKNOWN);
        }

        @Override
        public boolean inMaintenance(VirtualConfig v, Real r) {
            return maintenance.contains(r.address().getHostAddress());
        }
    }

    Config parse(String text) throws Exception {
        Path f = dir.resolve("t.cf");
        Files.writeString(f, text);
        return ConfigParser.parse(f);
    }

    static Destination.DestinationKey dk(String ip, int port) throws Exception {
        return new Destination.DestinationKey(InetAddress.getByName(ip), port);
    }

    static final String NAT =
            """
            virtual=10.77.0.100:80
            \treal=10.77.1.11:80 masq 1
            \treal=10.77.1.12:80 masq 2
            \tfallback=10.77.1.99:80 masq
            \tchecktype=connect
            """;

    @Test
    void upRealsArePresentWithTheirWeightAndDownOnesAbsent() throws Exception {
        DesiredTable t =
                Director.desired(
                        parse(NAT),
                        new Book().set("10.77.1.11", Health.UP).set("10.77.1.12", Health.DOWN),
                        false);
        DesiredTable.Service s = t.services().get(0);
        assertEquals(DesiredTable.Policy.PRESENT, s.dests().get(dk("10.77.1.11", 80)).policy());
        assertEquals(1, s.dests().get(dk("10.77.1.11", 80)).destination().weight());
        assertEquals(
                Forwarding.MASQ, s.dests().get(dk("10.77.1.11", 80)).destination().forwarding());
        assertEquals(DesiredTable.Policy.ABSENT, s.dests().get(dk("10.77.1.12", 80)).policy());
        assertEquals(
                DesiredTable.Policy.ABSENT,
                s.dests().get(dk("10.77.1.99", 80)).policy(),
                "fallback out while a real serves");
        assertTrue(s.anyRealUp());
    }

    @Test
    void fallbackServesWhenEveryRealIsDown() throws Exception {
        DesiredTable.Service s =
                Director.desired(
                                parse(NAT),
                                new Book()
                                        .set("10.77.1.11", Health.DOWN)
                                        .set("10.77.1.12", Health.DOWN),
                                false)
                        .services()
                        .get(0);
        DesiredTable.Dest f = s.dests().get(dk("10.77.1.99", 80));
        assertEquals(DesiredTable.Role.FALLBACK, f.role());
        assertEquals(DesiredTable.Policy.PRESENT, f.policy());
        assertEquals(1, f.destination().weight());
        assertFalse(s.anyRealUp());
    }

    @Test
    void noFallbackDecisionWhileARealHasNoVerdictSoStartDoesNotFlap() throws Exception {
        DesiredTable.Service s =
                Director.desired(parse(NAT), new Book().set("10.77.1.11", Health.DOWN), false)
                        .services()
                        .get(0);
        assertEquals(DesiredTable.Policy.UNTOUCHED, s.dests().get(dk("10.77.1.99", 80)).policy());
        assertEquals(
                DesiredTable.Policy.UNTOUCHED,
                s.dests().get(dk("10.77.1.12", 80)).policy(),
                "a real without a verdict is neither added nor removed");
    }

    @Test
    void aWeightZeroRealDoesNotKeepTheFallbackAway() throws Exception {
        Config c =
                parse(
                        """
                        virtual=10.77.0.100:80
                        \treal=10.77.1.11:80 masq 0
                        \tfallback=10.77.1.99:80 masq
                        \tchecktype=connect
                        """);
        DesiredTable.Service s =
                Director.desired(c, new Book().set("10.77.1.11", Health.UP), false)
                        .services()
                        .get(0);
        assertEquals(DesiredTable.Policy.PRESENT, s.dests().get(dk("10.77.1.11", 80)).policy());
        assertEquals(DesiredTable.Policy.PRESENT, s.dests().get(dk("10.77.1.99", 80)).policy());
    }

    @Test
    void anUpRealGetsTheWeightItsCheckAsksForAndADownOneItsConfiguredOne() throws Exception {
        Book book = new Book().set("10.77.1.11", Health.UP).set("10.77.1.12", Health.UP);
        Director.Verdicts weighted =
                book.withWeights(
                        (v, r) ->
                                r.address().getHostAddress().equals("10.77.1.11")
                                        ? OptionalInt.of(7)
                                        : OptionalInt.empty());
        DesiredTable.Service s = Director.desired(parse(NAT), weighted, false).services().get(0);
        assertEquals(
                7,
                s.dests().get(dk("10.77.1.11", 80)).destination().weight(),
                "misc_dynamic's weight");
        assertEquals(
                2,
                s.dests().get(dk("10.77.1.12", 80)).destination().weight(),
                "no weight asked: the configured one");
        // a check that asks for weight 0 serves nobody, so the fallback comes in as for a weight-0
        // real
        Director.Verdicts zero =
                new Book()
                        .set("10.77.1.11", Health.UP)
                        .set("10.77.1.12", Health.DOWN)
                        .withWeights((v, r) -> OptionalInt.of(0));
        DesiredTable.Service z = Director.desired(parse(NAT), zero, false).services().get(0);
        assertEquals(0, z.dests().get(dk("10.77.1.11", 80)).destination().weight());
        assertEquals(DesiredTable.Policy.PRESENT, z.dests().get(dk("10.77.1.99", 80)).policy());
    }

    @Test
    void quiescentKeepsADownRealWithWeightZeroAndReaddquiescentDecidesAboutReadding()
            throws Exception {
        String q = NAT.replace("\tchecktype=connect\n", "\tchecktype=connect\n\tquiescent=yes\n");
        Book book = new Book().set("10.77.1.11", Health.UP).set("10.77.1.12", Health.DOWN);
        DesiredTable.Dest d =
                Director.desired(parse(q), book, false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.12", 80));
        assertEquals(0, d.destination().weight());
        assertEquals(
                DesiredTable.Policy.IF_PRESENT,
                d.policy(),
                "readdquiescent=no: a hand-deleted quiesced real stays deleted");
        assertEquals(
                DesiredTable.Policy.PRESENT,
                Director.desired(parse(q), book, true)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.12", 80))
                        .policy(),
                "at start ldirectord adds it quiesced");
        assertEquals(
                DesiredTable.Policy.PRESENT,
                Director.desired(parse("readdquiescent=yes\n" + q), book, false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.12", 80))
                        .policy());
    }

    @Test
    void aQuiescentRealWhoseFirstVerdictIsDownIsAddedAtWeightZeroWhateverReaddquiescentSays()
            throws Exception {
        String q = NAT.replace("\tchecktype=connect\n", "\tchecktype=connect\n\tquiescent=yes\n");
        Book book = new Book().set("10.77.1.11", Health.UP).set("10.77.1.12", Health.DOWN);
        Director.Verdicts firstVerdict =
                Director.Verdicts.of(book::health, book::inMaintenance, (v, r) -> false);
        DesiredTable.Dest d =
                Director.desired(parse(q), firstVerdict, false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.12", 80));
        assertEquals(0, d.destination().weight());
        assertEquals(
                DesiredTable.Policy.PRESENT, d.policy(), "ldirectord's start lists it at weight 0");
        Director.Verdicts placedBefore =
                Director.Verdicts.of(book::health, book::inMaintenance, (v, r) -> true);
        assertEquals(
                DesiredTable.Policy.IF_PRESENT,
                Director.desired(parse(q), placedBefore, false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.12", 80))
                        .policy());
        Book none = new Book().set("10.77.1.11", Health.UP);
        assertEquals(
                DesiredTable.Policy.UNTOUCHED,
                Director.desired(
                                parse(q),
                                Director.Verdicts.of(
                                        none::health, none::inMaintenance, (v, r) -> false),
                                false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.12", 80))
                        .policy(),
                "before any verdict the real is left as the kernel has it");
        assertEquals(
                DesiredTable.Policy.ABSENT,
                Director.desired(parse(NAT), firstVerdict, false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.12", 80))
                        .policy(),
                "quiescent=no: a failed real is not added");
    }

    @Test
    void maintenanceBeatsCheckTypeOn() throws Exception {
        Config c = parse(NAT.replace("checktype=connect", "checktype=on"));
        Book book = new Book();
        assertEquals(
                DesiredTable.Policy.PRESENT,
                Director.desired(c, book, false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.11", 80))
                        .policy());
        book.maintenance.add("10.77.1.11");
        assertEquals(
                DesiredTable.Policy.ABSENT,
                Director.desired(c, book, false)
                        .services()
                        .get(0)
                        .dests()
                        .get(dk("10.77.1.11", 80))
                        .policy());
    }

    @Test
    void checktypeOffMeansDownAndTheFallbackServes() throws Exception {
        DesiredTable.Service s =
                Director.desired(
                                parse(NAT.replace("checktype=connect", "checktype=off")),
                                new Book().set("10.77.1.11", Health.UP),
                                false)
                        .services()
                        .get(0);
        assertEquals(DesiredTable.Policy.ABSENT, s.dests().get(dk("10.77.1.11", 80)).policy());
        assertEquals(DesiredTable.Policy.PRESENT, s.dests().get(dk("10.77.1.99", 80)).policy());
    }

    @Test
    void gateAndIpipRealsTakeTheVirtualsPortAsIpvsadmForces() throws Exception {
        Config c =
                parse(
                        """
                        virtual=10.77.0.100:80
                        \treal=10.77.1.11:8080 gate
                        \treal=10.77.1.12:8080 ipip
                        \treal=10.77.1.13:8080 masq
                        \tchecktype=on
                        """);
        Map<Destination.DestinationKey, DesiredTable.Dest> d =
                Director.desired(c, new Book(), false).services().get(0).dests();
        assertEquals(Forwarding.ROUTE, d.get(dk("10.77.1.11", 80)).destination().forwarding());
        assertEquals(Forwarding.TUNNEL, d.get(dk("10.77.1.12", 80)).destination().forwarding());
        assertEquals(Forwarding.MASQ, d.get(dk("10.77.1.13", 8080)).destination().forwarding());
    }

    @Test
    void aRealWithoutAPortIsPortZeroForMasqAndTheVirtualsPortForGateAsLdirectordSendsIt()
            throws Exception {
        Config c =
                parse(
                        """
                        virtual=10.77.0.100:80
                        \treal=10.77.1.11 masq
                        \treal=10.77.1.12 gate
                        \tchecktype=on
                        """);
        Map<Destination.DestinationKey, DesiredTable.Dest> d =
                Director.desired(c, new Book(), false).services().get(0).dests();
        assertEquals(Forwarding.MASQ, d.get(dk("10.77.1.11", 0)).destination().forwarding());
        assertEquals(Forwarding.ROUTE, d.get(dk("10.77.1.12", 80)).destination().forwarding());
    }

    @Test
    void serviceCarriesSchedulerPersistenceNetmaskAndFlags() throws Exception {
        Config c =
                parse(
                        """
                        virtual=10.77.0.100:443
                        \treal=10.77.1.11:443 gate
                        \tscheduler=sh
                        \tschedflags=sh-port
                        \tpersistent=600
                        \tnetmask=255.255.255.0
                        \tchecktype=on
                        virtual=10.77.0.100:53
                        \treal=10.77.1.11:53 gate
                        \tprotocol=udp
                        \tops=yes
                        \tchecktype=on
                        """);
        VirtualService https = Director.desired(c, new Book(), false).services().get(0).service();
        assertEquals("sh", https.scheduler());
        assertTrue(https.isPersistent());
        assertEquals(600, https.timeout());
        assertEquals(0xffffff00, https.netmask());
        assertEquals(VirtualService.F_SCHED2, https.flags() & VirtualService.F_SCHED2);
        VirtualService dns = Director.desired(c, new Book(), false).services().get(1).service();
        assertTrue(dns.isOnePacket());
        assertFalse(dns.isPersistent());
    }

    @Test
    void schedFlagsFollowIpvsadm() {
        assertEquals(
                SchedFlags.FLAG1 | SchedFlags.FLAG2, SchedFlags.parse("sh-fallback,sh-port", "sh"));
        assertEquals(SchedFlags.FLAG3, SchedFlags.parse("flag-3", "wrr"));
        IllegalArgumentException e =
                Assertions.assertThrows(
                        IllegalArgumentException.class, () -> SchedFlags.parse("sh-port", "wrr"));
        assertEquals("scheduler flag 'sh-port' needs scheduler sh, not wrr", e.getMessage());
    }
}
