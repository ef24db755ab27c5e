package org.ldirector.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ldirector.director.DesiredTable;
import org.ldirector.director.DesiredTable.Policy;
import org.ldirector.director.DesiredTable.Role;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.ServiceDump;
import org.ldirector.ipvs.ServiceEntry;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.Stats;
import org.ldirector.ipvs.VirtualService;

class ReconcilerTest {
    private final InMemoryIpvsTable table = new InMemoryIpvsTable();
    private final List<String> log = new ArrayList<>();
    private final Reconciler reconciler = new Reconciler(table, log::add);

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final ServiceKey VIP = ServiceKey.of(IpvsProtocol.TCP, ip("10.77.0.100"), 80);
    static final ServiceKey OTHER = ServiceKey.of(IpvsProtocol.TCP, ip("10.77.0.200"), 80);

    static Destination real(String ip, int weight) {
        return Destination.of(ip(ip), 80, Forwarding.MASQ, weight);
    }

    /** A desired service from (destination, role, policy) triples. */
    static DesiredTable.Service service(
            ServiceKey key, String scheduler, DesiredTable.Dest... dests) {
        Map<Destination.DestinationKey, DesiredTable.Dest> m = new LinkedHashMap<>();
        boolean up = false;
        for (DesiredTable.Dest d : dests) {
            m.put(d.destination().key(), d);
            up |=
                    d.role() == Role.REAL
                            && d.policy() == Policy.PRESENT
                            && d.destination().weight() > 0;
        }
        return new DesiredTable.Service(null, VirtualService.of(key, scheduler), m, up, true);
    }

    static DesiredTable.Dest dest(Destination d, Role role, Policy policy) {
        return new DesiredTable.Dest(d, role, policy);
    }

    static DesiredTable table(DesiredTable.Service... s) {
        return new DesiredTable(List.of(s));
    }

    private final DesiredTable twoUp =
            table(
                    service(
                            VIP,
                            "wrr",
                            dest(real("10.77.1.11", 1), Role.REAL, Policy.PRESENT),
                            dest(real("10.77.1.12", 2), Role.REAL, Policy.PRESENT),
                            dest(real("10.77.1.99", 1), Role.FALLBACK, Policy.ABSENT)));

    @Test
    void buildsAnEmptyTableInOrderWithLdirectordsWords() throws Exception {
        Reconciler.Outcome o = reconciler.reconcile(twoUp, "start");
        assertEquals(new Reconciler.Outcome(3, 0, 0), o);
        assertEquals(
                List.of(
                        "Added virtual server: 10.77.0.100:80",
                        "Added real server: 10.77.1.11:80 (10.77.0.100:80) (Weight set to 1)",
                        "Added real server: 10.77.1.12:80 (10.77.0.100:80) (Weight set to 2)"),
                log);
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 1
                -a -t 10.77.0.100:80 -r 10.77.1.12:80 -m -w 2
                """,
                table.saveText());
    }

    @Test
    void aSecondPassWithNothingChangedDoesNothing() throws Exception {
        reconciler.reconcile(twoUp, "start");
        log.clear();
        assertEquals(new Reconciler.Outcome(0, 0, 0), reconciler.reconcile(twoUp, "reload"));
        assertEquals(List.of(), log);
    }

    @Test
    void anEntryDeletedByHandIsPutBackAndLoggedAsARepair() throws Exception {
        reconciler.reconcile(twoUp, "start");
        table.deleteDestination(VIP, real("10.77.1.12", 2).key());
        log.clear();
        assertEquals(new Reconciler.Outcome(1, 0, 1), reconciler.reconcile(twoUp, "reload"));
        assertEquals(
                List.of(
                        "Added real server: 10.77.1.12:80 (10.77.0.100:80) (Weight set to 2)"
                                + " (repair)"),
                log);
    }

    @Test
    void aFlushedTableIsRebuiltAsRepairs() throws Exception {
        reconciler.reconcile(twoUp, "start");
        table.flush();
        log.clear();
        assertEquals(new Reconciler.Outcome(3, 0, 3), reconciler.reconcile(twoUp, "reload"));
        assertEquals(3, table.dump().get(0).destinations().size() + 1);
    }

    @Test
    void aWeightChangedByHandIsRestored() throws Exception {
        reconciler.reconcile(twoUp, "start");
        table.updateDestination(VIP, real("10.77.1.11", 5));
        log.clear();
        reconciler.reconcile(twoUp, "reload");
        assertEquals(
                List.of(
                        "Restored real server: 10.77.1.11:80 (10.77.0.100:80) (Weight set to 1)"
                                + " (repair)"),
                log);
    }

    @Test
    void aPassOverSomeServicesChangesOnlyThoseAndTheNextWholePassRepairsTheRest() throws Exception {
        DesiredTable.Service other =
                service(OTHER, "wrr", dest(real("10.77.2.11", 1), Role.REAL, Policy.PRESENT));
        reconciler.reconcile(table(twoUp.services().get(0), other), "start");
        table.deleteDestination(
                OTHER, real("10.77.2.11", 1).key()); // drift in the service not asked about
        DesiredTable.Service oneDown =
                service(
                        VIP,
                        "wrr",
                        dest(real("10.77.1.11", 1), Role.REAL, Policy.PRESENT),
                        dest(real("10.77.1.12", 2), Role.REAL, Policy.ABSENT),
                        dest(real("10.77.1.99", 1), Role.FALLBACK, Policy.ABSENT));
        log.clear();

        assertEquals(
                new Reconciler.Outcome(1, 0, 0),
                reconciler.reconcileOnly(table(oneDown), "reload"));
        assertEquals(List.of("Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"), log);
        assertEquals(
                """
                -A -t 10.77.0.100:80 -s wrr
                -a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 1
                -A -t 10.77.0.200:80 -s wrr
                """,
                table.saveText());

        log.clear();
        assertEquals(
                new Reconciler.Outcome(1, 0, 1),
                reconciler.reconcile(table(oneDown, other), "reload"));
        assertEquals(
                List.of(
                        "Added real server: 10.77.2.11:80 (10.77.0.200:80) (Weight set to 1)"
                                + " (repair)"),
                log);
    }

    @Test
    void startAdoptsWhatTheKernelHasWithoutTouchingRealsThatHaveNoVerdict() throws Exception {
        table.addService(VirtualService.of(VIP, "wrr"));
        table.addDestination(VIP, real("10.77.1.11", 1));
        table.addDestination(VIP, real("10.77.1.12", 2));
        DesiredTable pending =
                table(
                        service(
                                VIP,
                                "wrr",
                                dest(real("10.77.1.11", 1), Role.REAL, Policy.UNTOUCHED),
                                dest(real("10.77.1.12", 2), Role.REAL, Policy.UNTOUCHED),
                                dest(real("10.77.1.99", 1), Role.FALLBACK, Policy.UNTOUCHED)));
        String before = table.saveText();
        assertEquals(new Reconciler.Outcome(0, 0, 0), reconciler.reconcile(pending, "start"));
        assertEquals(before, table.saveText());
    }

    @Test
    void servicesItDoesNotOwnAreNeverTouched() throws Exception {
        table.addService(VirtualService.of(OTHER, "rr"));
        table.addDestination(OTHER, real("10.77.1.50", 1));
        reconciler.reconcile(twoUp, "start");
        reconciler.reconcile(table(), "reload");
        assertEquals(
                """
                -A -t 10.77.0.200:80 -s rr
                -a -t 10.77.0.200:80 -r 10.77.1.50:80 -m -w 1
                """,
                table.saveText());
    }

    @Test
    void aVirtualRemovedFromTheConfigIsPurgedRealsFirst() throws Exception {
        reconciler.reconcile(twoUp, "start");
        log.clear();
        reconciler.reconcile(table(), "reload");
        assertEquals(
                Set.of(
                        "Purged real server (reload): 10.77.1.11:80 (10.77.0.100:80)",
                        "Purged real server (reload): 10.77.1.12:80 (10.77.0.100:80)"),
                Set.copyOf(log.subList(0, 2)));
        assertEquals("Purged virtual server (reload): 10.77.0.100:80", log.get(2));
        assertEquals("", table.saveText());
    }

    @Test
    void theFallbackComesInBeforeTheLastRealLeaves() {
        List<Reconciler.Step> steps =
                Reconciler.plan(
                        table(
                                service(
                                        VIP,
                                        "wrr",
                                        dest(real("10.77.1.11", 1), Role.REAL, Policy.ABSENT),
                                        dest(
                                                real("10.77.1.99", 1),
                                                Role.FALLBACK,
                                                Policy.PRESENT))),
                        Set.of(),
                        List.of(
                                new ServiceDump(
                                        new ServiceEntry(VirtualService.of(VIP, "wrr"), Stats.ZERO),
                                        List.of(DestinationEntry.idle(real("10.77.1.11", 1))))),
                        Map.of(),
                        "reload");
        assertEquals(2, steps.size());
        assertTrue(steps.get(0).op() instanceof IpvsOp.AddDestination, steps.toString());
        assertEquals(
                "Added fallback server: 10.77.1.99:80 (10.77.0.100:80) (Weight set to 1)",
                steps.get(0).message());
        assertEquals("Deleted real server: 10.77.1.11:80 (10.77.0.100:80)", steps.get(1).message());
    }

    @Test
    void quiescingAndReaddingQuiescedRealsUseLdirectordsWords() throws Exception {
        reconciler.reconcile(twoUp, "start");
        log.clear();
        reconciler.reconcile(
                table(
                        service(
                                VIP,
                                "wrr",
                                dest(real("10.77.1.11", 0), Role.REAL, Policy.IF_PRESENT),
                                dest(real("10.77.1.12", 2), Role.REAL, Policy.PRESENT))),
                "reload");
        assertEquals(
                List.of("Quiescent real server: 10.77.1.11:80 (10.77.0.100:80) (Weight set to 0)"),
                log);
        table.deleteDestination(VIP, real("10.77.1.11", 0).key());
        log.clear();
        DesiredTable ifPresent =
                table(
                        service(
                                VIP,
                                "wrr",
                                dest(real("10.77.1.11", 0), Role.REAL, Policy.IF_PRESENT),
                                dest(real("10.77.1.12", 2), Role.REAL, Policy.PRESENT)));
        reconciler.reconcile(ifPresent, "reload");
        assertEquals(
                List.of(), log, "readdquiescent=no: a quiesced real deleted by hand stays deleted");
        reconciler.reconcile(
                table(
                        service(
                                VIP,
                                "wrr",
                                dest(real("10.77.1.11", 0), Role.REAL, Policy.PRESENT),
                                dest(real("10.77.1.12", 2), Role.REAL, Policy.PRESENT))),
                "reload");
        assertEquals(
                List.of(
                        "Readd Quiescent real server: 10.77.1.11:80 (10.77.0.100:80) (Weight set to"
                                + " 0)"),
                log);
    }

    @Test
    void oneFailingEntryDoesNotStopTheOthersAndIsRetried() throws Exception {
        DesiredTable bad =
                table(
                        service(
                                OTHER,
                                "nosuchsched",
                                dest(real("10.77.1.50", 1), Role.REAL, Policy.PRESENT)),
                        service(
                                VIP,
                                "wrr",
                                dest(real("10.77.1.11", 1), Role.REAL, Policy.PRESENT)));
        Reconciler.Outcome o = reconciler.reconcile(bad, "start");
        assertEquals(2, o.applied());
        assertEquals(2, o.failed(), "the service and then its real fail");
        assertTrue(
                log.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith(
                                                "Failed: Added virtual server: 10.77.0.200:80: ")),
                log.toString());
        assertTrue(
                log.contains(
                        "Added real server: 10.77.1.11:80 (10.77.0.100:80) (Weight set to 1)"));
        log.clear();
        Reconciler.Outcome again = reconciler.reconcile(bad, "reload");
        assertEquals(2, again.failed(), "tried again on the next pass");
        assertEquals(List.of(), log, "the same failure is logged once, not on every pass");
    }

    @Test
    void aFailureIsLoggedAgainOnlyAfterItWasOverOrItsErrorChanged() throws Exception {
        DesiredTable bad =
                table(
                        service(
                                OTHER,
                                "nosuchsched",
                                dest(real("10.77.1.50", 1), Role.REAL, Policy.PRESENT)));
        reconciler.reconcile(bad, "start");
        assertEquals(2, log.size(), log.toString());
        log.clear();
        // no longer planned: the failure is over
        reconciler.reconcile(table(), "reload");
        reconciler.reconcile(bad, "reload");
        assertEquals(2, log.stream().filter(l -> l.startsWith("Failed: ")).count(), log.toString());
    }

    @Test
    void aListenerThatThrowsCostsNoOtherStepItsReport() throws Exception {
        List<String> heard = new ArrayList<>();
        Reconciler r =
                new Reconciler(
                        table,
                        log::add,
                        (virtual, step, ok) -> {
                            heard.add(step.message());
                            if (step.message().contains("10.77.1.11")) {
                                throw new IllegalStateException("mail server down");
                            }
                        });
        r.reconcile(
                table(
                        service(
                                VIP,
                                "wrr",
                                dest(real("10.77.1.11", 1), Role.REAL, Policy.PRESENT),
                                dest(real("10.77.1.12", 1), Role.REAL, Policy.PRESENT))),
                "start");
        assertEquals(3, heard.size(), heard.toString());
        assertTrue(table.saveText().contains("-r 10.77.1.12:80 -m -w 1"), table.saveText());
        assertTrue(
                log.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith(
                                                "Error: reporting 'Added real server:"
                                                        + " 10.77.1.11:80")),
                log.toString());
    }

    @Test
    void aLocalDestinationIsNotRewrittenOnEveryPass() {
        Destination local = Destination.of(ip("127.0.0.1"), 80, Forwarding.LOCAL, 1);
        Destination wanted = Destination.of(ip("127.0.0.1"), 80, Forwarding.ROUTE, 1);
        assertTrue(Reconciler.sameDestination(local, wanted));
        assertTrue(!Reconciler.sameDestination(local, wanted.withWeight(2)));
    }
}
