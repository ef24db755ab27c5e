package org.ldirector.ipvs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.ldirector.sys.Errno;

/**
 * What every {@link IpvsTable} must do, as the 6.1 kernel does it. Runs against {@link
 * InMemoryIpvsTable} in the unit run and against NetlinkIpvsTable inside User-Mode Linux, so the
 * fake cannot drift from the kernel. Each test starts from an empty table.
 */
public abstract class IpvsTableContract {

    /** An empty table with default timeouts, owned by the test class. */
    protected abstract IpvsTable table() throws Exception;

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static final ServiceKey WEB = ServiceKey.of(IpvsProtocol.TCP, ip("10.77.0.1"), 80);
    static final ServiceKey DNS = ServiceKey.of(IpvsProtocol.UDP, ip("10.77.0.2"), 53);
    static final ServiceKey WEB6 = ServiceKey.of(IpvsProtocol.TCP, ip("2001:db8::1"), 443);
    static final ServiceKey SCTP = ServiceKey.of(IpvsProtocol.SCTP, ip("10.77.0.3"), 9000);
    static final ServiceKey MARK = ServiceKey.fwmark(7, Family.INET);
    static final ServiceKey MARK6 = ServiceKey.fwmark(8, Family.INET6);
    static final ServiceKey ABSENT = ServiceKey.of(IpvsProtocol.TCP, ip("10.77.0.99"), 80);

    static final Destination R1 = Destination.of(ip("10.77.1.1"), 80, Forwarding.ROUTE, 1);
    static final Destination R2 = Destination.of(ip("10.77.1.2"), 8080, Forwarding.MASQ, 5);
    static final Destination R3 =
            new Destination(ip("10.77.1.3"), 80, Forwarding.TUNNEL, 0, 1000, 100);
    static final Destination R6 = Destination.of(ip("2001:db8::10"), 443, Forwarding.ROUTE, 2);

    private Set<VirtualService> services() throws Exception {
        return table().services().stream().map(ServiceEntry::service).collect(Collectors.toSet());
    }

    private List<Destination> destinations(ServiceKey key) throws Exception {
        return table().destinations(key).stream().map(DestinationEntry::destination).toList();
    }

    private IpvsException failure(IpvsOp op) throws Exception {
        IpvsTable.OpResult r = table().apply(List.of(op)).get(0);
        assertTrue(!r.ok(), () -> op + " should have failed");
        return r.error();
    }

    @Test
    void emptyTable() throws Exception {
        assertEquals(List.of(), table().services());
        assertEquals("1.2.1", table().info().versionText());
        assertEquals(List.of(), table().dump());
    }

    @Test
    void everyKindOfServiceReadsBackAsWritten() throws Exception {
        List<VirtualService> written =
                List.of(
                        VirtualService.of(WEB, "wlc"),
                        VirtualService.of(DNS, "rr").persistent(300, 0xffffff00).onePacket(),
                        VirtualService.of(WEB6, "sh")
                                .withSchedulerFlags(
                                        VirtualService.F_SCHED1 | VirtualService.F_SCHED2)
                                .persistent(60, 64),
                        VirtualService.of(SCTP, "wrr"),
                        VirtualService.of(MARK, "lc").persistent(900),
                        VirtualService.of(MARK6, "sed"));
        for (VirtualService vs : written) {
            table().addService(vs);
        }
        assertEquals(new HashSet<>(written), services());
        assertTrue(table().services().stream().allMatch(s -> s.stats().conns() == 0));
    }

    @Test
    void destinationsOfEveryForwardingMethodReadBackNewestFirst() throws Exception {
        table().addService(VirtualService.of(WEB, "wrr"));
        table().addService(VirtualService.of(WEB6, "wrr"));
        table().addService(VirtualService.of(MARK, "wrr"));
        table().addDestination(WEB, R1);
        table().addDestination(WEB, R2);
        table().addDestination(WEB, R3);
        table().addDestination(WEB6, R6);
        Destination markDest = Destination.of(ip("10.77.1.5"), 0, Forwarding.ROUTE, 1);
        table().addDestination(MARK, markDest);
        assertEquals(List.of(R3, R2, R1), destinations(WEB));
        assertEquals(List.of(R6), destinations(WEB6));
        assertEquals(List.of(markDest), destinations(MARK));
        DestinationEntry e = table().destinations(WEB).get(0);
        assertEquals(0, e.activeConnections());
        assertEquals(0, e.inactiveConnections());
        assertEquals(0, e.persistentConnections());
    }

    @Test
    void updatesReplaceSettingsInPlace() throws Exception {
        table().addService(VirtualService.of(WEB, "wlc").persistent(300));
        table().addDestination(WEB, R1);
        table().addDestination(WEB, R2);
        VirtualService changed = VirtualService.of(WEB, "rr");
        table().updateService(changed);
        table().updateDestination(WEB, R1.withWeight(0).withThresholds(10, 2));
        assertEquals(Set.of(changed), services());
        assertEquals(List.of(R2, R1.withWeight(0).withThresholds(10, 2)), destinations(WEB));
    }

    @Test
    void deletingAServiceTakesItsDestinations() throws Exception {
        table().addService(VirtualService.of(WEB, "rr"));
        table().addDestination(WEB, R1);
        table().addDestination(WEB, R2);
        table().deleteDestination(WEB, R1.key());
        assertEquals(List.of(R2), destinations(WEB));
        table().deleteService(WEB);
        assertEquals(Set.of(), services());
        table().addService(VirtualService.of(WEB, "rr"));
        assertEquals(List.of(), destinations(WEB));
    }

    @Test
    void destinationsOfAMissingServiceAreEmptyNotAnError() throws Exception {
        assertEquals(List.of(), table().destinations(ABSENT));
    }

    @Test
    void duplicateServiceIsEexist() throws Exception {
        table().addService(VirtualService.of(WEB, "rr"));
        IpvsException e = failure(new IpvsOp.AddService(VirtualService.of(WEB, "wlc")));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals("virtual service 10.77.0.1:80/tcp already exists (EEXIST)", e.getMessage());
        assertEquals(Set.of(VirtualService.of(WEB, "rr")), services());
    }

    @Test
    void missingServiceIsEsrchForDeleteUpdateAndDestinations() throws Exception {
        assertEquals(Errno.ESRCH, failure(new IpvsOp.DeleteService(ABSENT)).errno());
        assertEquals(
                "cannot delete virtual service 10.77.0.99:80/tcp: no such service (ESRCH)",
                failure(new IpvsOp.DeleteService(ABSENT)).getMessage());
        assertEquals(
                Errno.ESRCH,
                failure(new IpvsOp.UpdateService(VirtualService.of(ABSENT, "rr"))).errno());
        assertEquals(Errno.ESRCH, failure(new IpvsOp.AddDestination(ABSENT, R1)).errno());
        assertEquals(Errno.ESRCH, failure(new IpvsOp.DeleteDestination(ABSENT, R1.key())).errno());
        assertEquals(Errno.ESRCH, failure(new IpvsOp.DeleteService(MARK6)).errno());
    }

    @Test
    void unknownSchedulerIsEnoent() throws Exception {
        IpvsException e = failure(new IpvsOp.AddService(VirtualService.of(WEB, "nosuch")));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(
                "cannot add virtual service 10.77.0.1:80/tcp: unknown scheduler 'nosuch' "
                        + "(no kernel module ip_vs_nosuch) (ENOENT)",
                e.getMessage());
        table().addService(VirtualService.of(WEB, "rr"));
        assertEquals(
                Errno.ENOENT,
                failure(new IpvsOp.UpdateService(VirtualService.of(WEB, "nosuch"))).errno());
        assertEquals(Set.of(VirtualService.of(WEB, "rr")), services());
    }

    @Test
    void destinationErrors() throws Exception {
        table().addService(VirtualService.of(WEB, "rr"));
        table().addDestination(WEB, R1);
        IpvsException dup = failure(new IpvsOp.AddDestination(WEB, R1.withWeight(9)));
        assertEquals(Errno.EEXIST, dup.errno());
        assertEquals(
                "real server 10.77.1.1:80 already exists in virtual service 10.77.0.1:80/tcp"
                        + " (EEXIST)",
                dup.getMessage());
        IpvsException missing = failure(new IpvsOp.DeleteDestination(WEB, R2.key()));
        assertEquals(Errno.ENOENT, missing.errno());
        assertEquals(
                "cannot delete real server 10.77.1.2:8080: not in virtual service 10.77.0.1:80/tcp"
                        + " (ENOENT)",
                missing.getMessage());
        assertEquals(Errno.ENOENT, failure(new IpvsOp.UpdateDestination(WEB, R2)).errno());
        // The kernel checks thresholds before existence.
        assertEquals(
                Errno.ERANGE,
                failure(new IpvsOp.AddDestination(WEB, R2.withThresholds(5, 10))).errno());
        assertEquals(
                Errno.ERANGE,
                failure(new IpvsOp.AddDestination(WEB, R1.withThresholds(0, 1))).errno());
        assertEquals(
                Errno.ERANGE, failure(new IpvsOp.AddDestination(WEB, R2.withWeight(-1))).errno());
        assertEquals(List.of(R1), destinations(WEB));
    }

    @Test
    void ipv6PrefixOutsideOneTo128IsEinval() throws Exception {
        assertEquals(
                Errno.EINVAL,
                failure(new IpvsOp.AddService(VirtualService.of(WEB6, "rr").persistent(60, 0)))
                        .errno());
        assertEquals(
                Errno.EINVAL,
                failure(new IpvsOp.AddService(VirtualService.of(WEB6, "rr").persistent(60, 129)))
                        .errno());
    }

    @Test
    void aFailingOpDoesNotStopTheRestOfItsBatch() throws Exception {
        List<IpvsTable.OpResult> results =
                table().apply(
                                List.of(
                                        new IpvsOp.AddService(VirtualService.of(WEB, "rr")),
                                        new IpvsOp.AddService(VirtualService.of(WEB, "rr")),
                                        new IpvsOp.AddDestination(WEB, R1),
                                        new IpvsOp.AddDestination(ABSENT, R1),
                                        new IpvsOp.AddDestination(WEB, R2)));
        assertEquals(5, results.size());
        assertNull(results.get(0).error());
        assertEquals(Errno.EEXIST, results.get(1).error().errno());
        assertNull(results.get(2).error());
        assertEquals(Errno.ESRCH, results.get(3).error().errno());
        assertNull(results.get(4).error());
        assertEquals(List.of(R2, R1), destinations(WEB));
    }

    @Test
    void timeoutsDefaultAndZeroMeansUnchanged() throws Exception {
        assertEquals(Timeouts.DEFAULTS, table().timeouts());
        table().setTimeouts(new Timeouts(0, 60, 0));
        assertEquals(new Timeouts(900, 60, 300), table().timeouts());
        table().setTimeouts(new Timeouts(901, 0, 302));
        assertEquals(new Timeouts(901, 60, 302), table().timeouts());
    }

    @Test
    void flushEmptiesEverything() throws Exception {
        table().addService(VirtualService.of(WEB, "rr"));
        table().addService(VirtualService.of(MARK, "rr"));
        table().addDestination(WEB, R1);
        table().flush();
        assertEquals(List.of(), table().services());
    }

    @Test
    void tenThousandDestinationsDumpCompletely() throws Exception {
        ServiceKey big = ServiceKey.of(IpvsProtocol.TCP, ip("10.77.0.10"), 80);
        List<IpvsOp> ops = new ArrayList<>();
        ops.add(new IpvsOp.AddService(VirtualService.of(big, "wrr")));
        Set<Destination> expected = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            Destination d =
                    Destination.of(
                            ip("10.78." + (i / 200) + "." + (i % 200 + 1)),
                            80,
                            Forwarding.MASQ,
                            i % 7);
            expected.add(d);
            ops.add(new IpvsOp.AddDestination(big, d));
        }
        assertTrue(table().apply(ops).stream().allMatch(IpvsTable.OpResult::ok));
        List<Destination> dumped = destinations(big);
        assertEquals(10_000, dumped.size());
        assertEquals(expected, new HashSet<>(dumped));
    }

    @Test
    void rendersTheTableAsIpvsadmWould() throws Exception {
        table().addService(VirtualService.of(WEB, "wlc"));
        table().addDestination(WEB, R1);
        table().addDestination(WEB, R2);
        table().addService(VirtualService.of(MARK6, "lc").onePacket());
        assertEquals(
                """
                -A -t 10.77.0.1:80 -s wlc
                -a -t 10.77.0.1:80 -r 10.77.1.1:80 -g -w 1
                -a -t 10.77.0.1:80 -r 10.77.1.2:8080 -m -w 5
                -A -f 8 -6 -s lc -o
                """,
                table().saveText());
        // ipvsadm pads the InActConn column: the trailing blanks are real (\s keeps them in the
        // text block).
        assertEquals(
                """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  10.77.0.1:80 wlc
                  -> 10.77.1.1:80                 Route   1      0          0        \s
                  -> 10.77.1.2:8080               Masq    5      0          0        \s
                FWM  8 IPv6 lc ops
                """,
                table().listText());
    }

    // ---- connection-sync daemons ----

    /** The interface the sync tests bind to: MTU 1500, up, in the table's network namespace. */
    public static final String SYNC_IF = "sync0";

    /** Sync threads survive a flush, so every sync test starts by stopping what runs. */
    private void noSyncDaemons() throws Exception {
        for (SyncDaemon d : table().syncDaemons()) {
            table().stopSyncDaemon(d.state());
        }
        assertEquals(List.of(), table().syncDaemons());
    }

    private static SyncDaemon running(
            SyncDaemon.State state, int id, int maxLen, String group, int port, int ttl) {
        return new SyncDaemon(state, SYNC_IF, id, maxLen, ip(group), port, ttl);
    }

    @Test
    void aSyncDaemonStartedWithDefaultsReadsBackWithTheKernelsValues() throws Exception {
        noSyncDaemons();
        table().startSyncDaemon(SyncDaemon.of(SyncDaemon.State.MASTER, SYNC_IF, 7));
        // sync_maxlen = MTU 1500 - IPv4 and UDP headers; group 224.0.0.81, port 8848, TTL 1
        assertEquals(
                List.of(running(SyncDaemon.State.MASTER, 7, 1472, "224.0.0.81", 8848, 1)),
                table().syncDaemons());
        assertTrue(
                SyncDaemon.of(SyncDaemon.State.MASTER, SYNC_IF, 7)
                        .satisfiedBy(table().syncDaemons().get(0)));
        table().stopSyncDaemon(SyncDaemon.State.MASTER);
        assertEquals(List.of(), table().syncDaemons());
    }

    @Test
    void masterAndBackupRunTogetherMasterListedFirst() throws Exception {
        noSyncDaemons();
        SyncDaemon backup =
                new SyncDaemon(
                        SyncDaemon.State.BACKUP, SYNC_IF, 9, 4000, ip("224.0.0.99"), 9999, 3);
        table().startSyncDaemon(backup);
        table().startSyncDaemon(SyncDaemon.of(SyncDaemon.State.MASTER, SYNC_IF, 9));
        assertEquals(
                List.of(running(SyncDaemon.State.MASTER, 9, 1472, "224.0.0.81", 8848, 1), backup),
                table().syncDaemons());
        table().stopSyncDaemon(SyncDaemon.State.MASTER);
        assertEquals(List.of(backup), table().syncDaemons());
        noSyncDaemons();
    }

    @Test
    void aSecondDaemonOfTheSameStateIsRefusedAndTheFirstKeepsItsSettings() throws Exception {
        noSyncDaemons();
        table().startSyncDaemon(SyncDaemon.of(SyncDaemon.State.MASTER, SYNC_IF, 1));
        IpvsException e =
                assertThrows(
                        IpvsException.class,
                        () ->
                                table().startSyncDaemon(
                                                SyncDaemon.of(
                                                        SyncDaemon.State.MASTER, SYNC_IF, 2)));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals(1, table().syncDaemons().get(0).syncId());
        noSyncDaemons();
    }

    @Test
    void syncDaemonErrorsAsTheKernelGivesThem() throws Exception {
        noSyncDaemons();
        assertEquals(
                Errno.ESRCH,
                assertThrows(
                                IpvsException.class,
                                () -> table().stopSyncDaemon(SyncDaemon.State.BACKUP))
                        .errno());
        assertEquals(
                Errno.ENODEV,
                assertThrows(
                                IpvsException.class,
                                () ->
                                        table().startSyncDaemon(
                                                        SyncDaemon.of(
                                                                SyncDaemon.State.BACKUP,
                                                                "nosuch0",
                                                                1)))
                        .errno());
        assertEquals(List.of(), table().syncDaemons());
        // the sync protocol cannot carry a service whose destination is of the other family
        table().addService(VirtualService.of(WEB, "wlc"));
        table().addDestination(WEB, Destination.of(ip("2001:db8::10"), 80, Forwarding.TUNNEL, 1));
        assertEquals(
                Errno.EINVAL,
                assertThrows(
                                IpvsException.class,
                                () ->
                                        table().startSyncDaemon(
                                                        SyncDaemon.of(
                                                                SyncDaemon.State.MASTER,
                                                                SYNC_IF,
                                                                1)))
                        .errno());
        assertEquals(List.of(), table().syncDaemons());
    }

    @Test
    void aBackupsMaxLengthIsRaisedToTheKernelsMinimum() throws Exception {
        noSyncDaemons();
        table().startSyncDaemon(
                        new SyncDaemon(SyncDaemon.State.BACKUP, SYNC_IF, 0, 10, null, 0, 0));
        assertEquals(1024, table().syncDaemons().get(0).maxLength());
        noSyncDaemons();
    }

    @Test
    void flushLeavesTheSyncDaemonsRunning() throws Exception {
        noSyncDaemons();
        table().startSyncDaemon(SyncDaemon.of(SyncDaemon.State.BACKUP, SYNC_IF, 3));
        table().addService(VirtualService.of(WEB, "wlc"));
        table().flush();
        assertEquals(1, table().syncDaemons().size());
        noSyncDaemons();
    }

    @Test
    void aDaemonStoppedRightAfterItsStartIsGone() throws Exception {
        // In the kernel a thread stopped before it first ran makes DEL_DAEMON end in EINTR, which
        // netlink never acks: the table must still report the stop as done.
        noSyncDaemons();
        for (SyncDaemon.State state : SyncDaemon.State.values()) {
            table().startSyncDaemon(SyncDaemon.of(state, SYNC_IF, 4));
            table().stopSyncDaemon(state);
            assertEquals(List.of(), table().syncDaemons());
        }
    }
}
