package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ldirector.ipvs.netlink.GoldenTables.*;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsInfo;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsTable.OpResult;
import org.ldirector.ipvs.ServiceEntry;
import org.ldirector.ipvs.Stats;
import org.ldirector.ipvs.Timeouts;
import org.ldirector.ipvs.VirtualService;
import org.ldirector.sys.Errno;

/**
 * NetlinkIpvsTable against a session recorded from the real 6.1 kernel in UML (GoldenCapture): our
 * requests must reproduce the recorded ones exactly, and every kernel reply must decode to what was
 * written. Runs without root.
 */
class NetlinkIpvsTableReplayTest {
    private final Map<String, List<Golden.Datagram>> session = Golden.session();
    private ReplayTransport transport;
    private NetlinkIpvsTable table;

    @BeforeEach
    void open() throws IpvsException {
        // Strict for the whole-session test; other tests replay scenarios out of order.
        transport = new ReplayTransport(session.get("getfamily-missing"), true);
        table =
                NetlinkIpvsTable.open(
                        transport,
                        module -> {
                            throw new AssertionError(
                                    "modprobe must not run when the family resolves");
                        },
                        Duration.ofSeconds(1),
                        1000);
    }

    private void scenario(String name) {
        transport.then(session.get(name));
    }

    @Test
    void resolvesTheFamilyIdTheKernelAssigned() {
        assertEquals(Golden.FAMILY, table.familyId());
    }

    @Test
    void wholeRecordedSessionRoundTrips() throws Exception {
        transport = new ReplayTransport(session.get("getfamily-missing"), false);
        table =
                NetlinkIpvsTable.open(
                        transport,
                        module -> {
                            throw new AssertionError(
                                    "modprobe must not run when the family resolves");
                        },
                        Duration.ofSeconds(1),
                        1000);
        scenario("info");
        assertEquals(new IpvsInfo(0x010201, 4096), table.info());
        scenario("timeouts");
        assertEquals(new Timeouts(900, 120, 300), table.timeouts());
        scenario("set-timeouts");
        table.setTimeouts(new Timeouts(901, 121, 301));

        scenario("add-services");
        assertAllOk(table.apply(SERVICES.stream().map(IpvsOp.AddService::new).toList()));
        scenario("add-destinations");
        assertAllOk(table.apply(DESTINATION_OPS));

        scenario("errors");
        List<OpResult> errors = table.apply(ERROR_OPS);
        assertEquals(
                List.of(
                        Errno.EEXIST,
                        Errno.ESRCH,
                        Errno.ENOENT,
                        Errno.EEXIST,
                        Errno.ENOENT,
                        Errno.ERANGE,
                        Errno.ESRCH,
                        Errno.ENOENT),
                errors.stream().map(r -> r.error().errno()).toList());
        assertEquals(
                "virtual service 10.0.0.1:80/tcp already exists (EEXIST)",
                errors.get(0).error().getMessage());
        assertEquals(
                "cannot delete virtual service 10.0.0.9:80/tcp: no such service (ESRCH)",
                errors.get(1).error().getMessage());
        assertEquals(
                "cannot add virtual service 10.0.0.9:80/tcp: unknown scheduler 'nosuch' "
                        + "(no kernel module ip_vs_nosuch) (ENOENT)",
                errors.get(2).error().getMessage());

        scenario("dump-services");
        List<ServiceEntry> services = table.services();
        assertEquals(
                new HashSet<>(SERVICES),
                services.stream().map(ServiceEntry::service).collect(toSet()));
        assertTrue(services.stream().allMatch(s -> s.stats().equals(Stats.ZERO)));

        scenario("dump-destinations-tcp4");
        // The kernel lists destinations newest first.
        assertEquals(List.of(IPIP, MASQ, GATE), dests(table.destinations(TCP4)));
        scenario("dump-destinations-tcp6");
        assertEquals(List.of(GATE6), dests(table.destinations(TCP6)));
        scenario("dump-destinations-fwmark");
        assertEquals(List.of(FWM_DEST), dests(table.destinations(FWM7)));
        scenario("dump-destinations-missing-service");
        assertEquals(List.of(), table.destinations(MISSING));

        scenario("add-many");
        List<IpvsOp> many = new ArrayList<>();
        many.add(new IpvsOp.AddService(MANY_SERVICE));
        for (int i = 0; i < MANY; i++) {
            many.add(new IpvsOp.AddDestination(MANY_SERVICE.key(), manyDestination(i)));
        }
        assertAllOk(table.apply(many));
        // Pipelined: 401 changes in 3 sends, not 401 round trips.
        assertEquals(1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 4 + 3, transport.sends());

        scenario("dump-many");
        List<DestinationEntry> manyDests = table.destinations(MANY_SERVICE.key());
        Set<Destination> expected = new HashSet<>();
        for (int i = 0; i < MANY; i++) {
            expected.add(manyDestination(i));
        }
        assertEquals(MANY, manyDests.size());
        assertEquals(expected, new HashSet<>(dests(manyDests)));

        scenario("updates");
        assertAllOk(table.apply(UPDATE_OPS));
        scenario("dump-services-after-update");
        Set<VirtualService> after =
                table.services().stream().map(ServiceEntry::service).collect(toSet());
        assertTrue(
                after.contains(VirtualService.of(TCP4, "rr").persistent(600, 0xffff0000)),
                after.toString());
        assertTrue(after.contains(MANY_SERVICE));
        scenario("dump-destinations-tcp4-after-update");
        assertTrue(
                dests(table.destinations(TCP4)).contains(GATE.withWeight(5).withThresholds(50, 5)));

        scenario("deletes");
        assertAllOk(
                table.apply(
                        List.of(
                                new IpvsOp.DeleteDestination(
                                        TCP4,
                                        new Destination.DestinationKey(
                                                InetAddress.getByName("10.0.1.3"), 80)),
                                new IpvsOp.DeleteService(UDP4))));
        scenario("flush");
        table.flush();
        assertTrue(transport.drained());
    }

    @Test
    void acksAreMatchedBySequenceNumberNotArrivalOrder() throws Exception {
        List<Golden.Datagram> errors = session.get("errors");
        // The kernel's eight acks, reversed: each errno must still land on its own op.
        List<Golden.Datagram> reordered = new ArrayList<>(errors.subList(1, errors.size()));
        Collections.reverse(reordered);
        reordered.add(0, errors.get(0));
        transport.then(reordered);
        List<OpResult> results = table.apply(ERROR_OPS);
        assertEquals(
                List.of(
                        Errno.EEXIST,
                        Errno.ESRCH,
                        Errno.ENOENT,
                        Errno.EEXIST,
                        Errno.ENOENT,
                        Errno.ERANGE,
                        Errno.ESRCH,
                        Errno.ENOENT),
                results.stream().map(r -> r.error().errno()).toList());
    }

    @Test
    void repliesToOtherRequestsAreSkipped() throws Exception {
        List<Golden.Datagram> timeouts = session.get("timeouts");
        // An ack for some other request (the recorded add-services one, two seqs later) arrives
        // first.
        transport.then(
                List.of(
                        timeouts.get(0),
                        session.get("add-services").get(1),
                        timeouts.get(1),
                        timeouts.get(2)));
        assertEquals(new Timeouts(900, 120, 300), table.timeouts());
    }

    @Test
    void silenceBecomesATimeoutError() {
        // The recorded request is sent but the replies never come.
        List<Golden.Datagram> info = session.get("info");
        transport.then(List.of(info.get(0)));
        IpvsException e = assertThrows(IpvsException.class, table::info);
        assertEquals(Errno.ETIMEDOUT, e.errno());
        assertTrue(
                e.getMessage().startsWith("no answer from the kernel within 1 s"), e.getMessage());
    }

    @Test
    void singleCommandsThrowTheTypedError() {
        List<Golden.Datagram> errors = session.get("errors");
        // Just the first request of the recorded error batch, answered by the kernel's first ack.
        transport.then(List.of(firstMessageOnly(errors.get(0)), errors.get(1)));
        IpvsException e =
                assertThrows(
                        IpvsException.class, () -> table.addService(VirtualService.of(TCP4, "rr")));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals("virtual service 10.0.0.1:80/tcp already exists (EEXIST)", e.getMessage());
    }

    @Test
    void missingFamilyRunsModprobeOnceThenFailsWithItsOutput() {
        List<Golden.Datagram> missing =
                Golden.session("kernel-6.1-missing-ipvs.txt").get("getfamily-missing");
        ReplayTransport t = new ReplayTransport(missing, true);
        t.then(missing); // asked again after modprobe, same answer
        AtomicInteger calls = new AtomicInteger();
        IpvsException e =
                assertThrows(
                        IpvsException.class,
                        () ->
                                NetlinkIpvsTable.open(
                                        t,
                                        module -> {
                                            calls.incrementAndGet();
                                            assertEquals("ip_vs", module);
                                            return "exit 1: modprobe: FATAL: Module ip_vs not found"
                                                    + " in directory /lib/modules/6.1.176";
                                        },
                                        Duration.ofSeconds(1),
                                        2000));
        assertEquals(1, calls.get());
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(
                "the kernel has no IPVS (modprobe ip_vs failed: exit 1: modprobe: FATAL: Module"
                        + " ip_vs not found in directory /lib/modules/6.1.176)",
                e.getMessage());
    }

    @Test
    void missingFamilyThatModprobeFixesIsResolvedOnTheSecondAsk() throws IpvsException {
        ReplayTransport t =
                new ReplayTransport(
                        Golden.session("kernel-6.1-missing-ipvs.txt").get("getfamily-missing"),
                        true);
        t.then(session.get("getfamily-missing")); // recorded while IPVS was present
        AtomicInteger calls = new AtomicInteger();
        NetlinkIpvsTable opened =
                NetlinkIpvsTable.open(
                        t,
                        module -> {
                            calls.incrementAndGet();
                            return null;
                        },
                        Duration.ofSeconds(1),
                        2000);
        assertEquals(1, calls.get());
        assertEquals(Golden.FAMILY, opened.familyId());
    }

    private static Golden.Datagram firstMessageOnly(Golden.Datagram batch) {
        byte[] b = batch.bytes();
        int len = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(0);
        return new Golden.Datagram(true, Arrays.copyOf(b, len));
    }

    private static void assertAllOk(List<OpResult> results) {
        for (OpResult r : results) {
            assertNull(r.error(), () -> r.op() + ": " + r.error().getMessage());
        }
        assertFalse(results.isEmpty());
    }

    private static List<Destination> dests(List<DestinationEntry> entries) {
        return entries.stream().map(DestinationEntry::destination).toList();
    }

    private static <T> Collector<T, ?, Set<T>> toSet() {
        return Collectors.toSet();
    }
}
