package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ldirector.ipvs.netlink.GoldenTables.*;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.SyncDaemon;
import org.ldirector.ipvs.Timeouts;
import org.ldirector.ipvs.VirtualService;

/**
 * Every request kind we build, compared byte for byte with what ipvsadm 1.31 sent to a real kernel
 * for the same change (captured with strace in User-Mode Linux; see golden/README.md).
 */
class IpvsCodecRequestGoldenTest {

    private static void assertOp(String golden, IpvsOp op) {
        byte[] theirs = Golden.ipvsadmRequests(golden).get(0);
        MessageWriter w = new MessageWriter(256);
        IpvsCodec.op(w, Golden.FAMILY, Golden.seq(theirs), Golden.portId(theirs), op);
        assertEquals(
                HexFormat.of().formatHex(theirs),
                HexFormat.of().formatHex(w.toByteArray()),
                golden);
    }

    private static void assertRequest(String golden, int index, Consumer<MessageWriter> encode) {
        byte[] theirs = Golden.ipvsadmRequests(golden).get(index);
        MessageWriter w = new MessageWriter(256);
        encode.accept(w);
        if (w.size() > 0) {
            assertEquals(
                    HexFormat.of().formatHex(theirs),
                    HexFormat.of().formatHex(w.toByteArray()),
                    golden);
        }
    }

    @Test
    void newServiceIpv4() {
        assertOp("add_svc_tcp4", new IpvsOp.AddService(VirtualService.of(TCP4, "wlc")));
    }

    @Test
    void newServiceUdpPersistentWithIpv4Netmask() {
        // -M 255.255.255.0 travels as ff ff ff 00: network order for IPv4 masks.
        assertOp(
                "add_svc_udp_persist",
                new IpvsOp.AddService(VirtualService.of(UDP4, "rr").persistent(300, 0xffffff00)));
    }

    @Test
    void newServiceIpv6WithPrefixAndSchedulerFlags() {
        // -M 64 travels as 40 00 00 00: host order for IPv6 prefix lengths.
        assertOp(
                "add_svc_tcp6_shflags",
                new IpvsOp.AddService(
                        VirtualService.of(TCP6, "sh")
                                .withSchedulerFlags(
                                        VirtualService.F_SCHED1 | VirtualService.F_SCHED2)
                                .persistent(60, 64)));
    }

    @Test
    void newServiceFwmark() {
        assertOp("add_svc_fwm", new IpvsOp.AddService(VirtualService.of(FWM7, "lc")));
    }

    @Test
    void newServiceFwmarkIpv6OnePacket() {
        assertOp(
                "add_svc_fwm6_ops",
                new IpvsOp.AddService(VirtualService.of(FWM8, "lc").onePacket()));
    }

    @Test
    void newServiceSctp() {
        assertOp("add_svc_sctp", new IpvsOp.AddService(VirtualService.of(SCTP4, "rr")));
    }

    @Test
    void newDestinationGate() {
        assertOp("add_dest_gate", new IpvsOp.AddDestination(TCP4, GATE));
    }

    @Test
    void newDestinationMasqWithThresholds() {
        assertOp("add_dest_masq_thresh", new IpvsOp.AddDestination(TCP4, MASQ));
    }

    @Test
    void newDestinationIpip() {
        assertOp("add_dest_ipip", new IpvsOp.AddDestination(TCP4, IPIP));
    }

    @Test
    void newDestinationIpv6() {
        assertOp("add_dest6", new IpvsOp.AddDestination(TCP6, GATE6));
    }

    @Test
    void newDestinationInFwmarkServiceWithoutPort() {
        assertOp("add_dest_fwm", new IpvsOp.AddDestination(FWM7, FWM_DEST));
    }

    @Test
    void newDestinationLocalAddress() {
        assertOp(
                "add_dest_local",
                new IpvsOp.AddDestination(
                        TCP4, Destination.of(ip("127.0.0.1"), 80, Forwarding.ROUTE, 1)));
    }

    @Test
    void setService() {
        assertOp("edit_svc", new IpvsOp.UpdateService(VirtualService.of(TCP4, "rr")));
    }

    @Test
    void setDestination() {
        assertOp("edit_dest", new IpvsOp.UpdateDestination(TCP4, GATE.withWeight(5)));
    }

    @Test
    void deleteService() {
        assertOp("del_svc", new IpvsOp.DeleteService(UDP4));
    }

    @Test
    void deleteDestination() {
        assertOp("del_dest", new IpvsOp.DeleteDestination(TCP4, IPIP.key()));
    }

    @Test
    void requestsThatTheKernelRefusesAreEncodedLikeIpvsadmsToo() {
        assertOp("err_dup_svc", new IpvsOp.AddService(VirtualService.of(TCP4, "wlc")));
        assertOp("err_del_missing_svc", new IpvsOp.DeleteService(MISSING));
        assertOp("err_unknown_sched", new IpvsOp.AddService(VirtualService.of(MISSING, "nosuch")));
        assertOp(
                "err_del_missing_dest",
                new IpvsOp.DeleteDestination(
                        TCP4, new Destination.DestinationKey(ip("10.0.9.9"), 80)));
        assertOp(
                "err_dup_dest",
                new IpvsOp.AddDestination(
                        TCP4, Destination.of(ip("10.0.1.1"), 80, Forwarding.ROUTE, 1)));
    }

    @Test
    void dumpRequests() {
        List<byte[]> list = Golden.ipvsadmRequests("list");
        byte[] services = list.get(0);
        assertRequest(
                "list",
                0,
                w ->
                        IpvsCodec.getServices(
                                w, Golden.FAMILY, Golden.seq(services), Golden.portId(services)));
        // ipvsadm -Ln then dumps destinations per service in its sorted order.
        List<ServiceKey> order = List.of(TCP4, UDP4, SCTP4, TCP6, FWM7, FWM8);
        for (int i = 0; i < order.size(); i++) {
            byte[] theirs = list.get(i + 1);
            ServiceKey key = order.get(i);
            assertRequest(
                    "list",
                    i + 1,
                    w ->
                            IpvsCodec.getDestinations(
                                    w,
                                    Golden.FAMILY,
                                    Golden.seq(theirs),
                                    Golden.portId(theirs),
                                    key));
        }
    }

    @Test
    void infoTimeoutsFlush() {
        byte[] info = Golden.ipvsadmRequests("get_info").get(0);
        assertRequest(
                "get_info",
                0,
                w ->
                        IpvsCodec.simple(
                                w,
                                Golden.FAMILY,
                                Golden.seq(info),
                                Golden.portId(info),
                                IpvsGenl.CMD_GET_INFO));
        byte[] get = Golden.ipvsadmRequests("timeout").get(0);
        assertRequest(
                "timeout",
                0,
                w ->
                        IpvsCodec.simple(
                                w,
                                Golden.FAMILY,
                                Golden.seq(get),
                                Golden.portId(get),
                                IpvsGenl.CMD_GET_CONFIG));
        byte[] set = Golden.ipvsadmRequests("set_timeout").get(0);
        assertRequest(
                "set_timeout",
                0,
                w ->
                        IpvsCodec.setTimeouts(
                                w,
                                Golden.FAMILY,
                                Golden.seq(set),
                                Golden.portId(set),
                                new Timeouts(901, 121, 301)));
        byte[] flush = Golden.ipvsadmRequests("flush").get(0);
        assertRequest(
                "flush",
                0,
                w ->
                        IpvsCodec.simple(
                                w,
                                Golden.FAMILY,
                                Golden.seq(flush),
                                Golden.portId(flush),
                                IpvsGenl.CMD_FLUSH));
    }

    @Test
    void syncDaemonCommands() throws Exception {
        InetAddress group = InetAddress.getByName("224.0.0.99");
        byte[] backup = Golden.ipvsadmRequests("start_daemon_backup").get(0);
        assertRequest(
                "start_daemon_backup",
                0,
                w ->
                        IpvsCodec.startDaemon(
                                w,
                                Golden.FAMILY,
                                Golden.seq(backup),
                                Golden.portId(backup),
                                SyncDaemon.of(SyncDaemon.State.BACKUP, "sync0", 5)));
        byte[] master = Golden.ipvsadmRequests("start_daemon_master_tuned").get(0);
        assertRequest(
                "start_daemon_master_tuned",
                0,
                w ->
                        IpvsCodec.startDaemon(
                                w,
                                Golden.FAMILY,
                                Golden.seq(master),
                                Golden.portId(master),
                                new SyncDaemon(
                                        SyncDaemon.State.MASTER,
                                        "sync0",
                                        9,
                                        4000,
                                        group,
                                        9999,
                                        3)));
        byte[] list = Golden.ipvsadmRequests("list_daemon").get(0);
        assertRequest(
                "list_daemon",
                0,
                w -> IpvsCodec.getDaemons(w, Golden.FAMILY, Golden.seq(list), Golden.portId(list)));
        for (SyncDaemon.State state : SyncDaemon.State.values()) {
            String name = "stop_daemon_" + state.word();
            byte[] stop = Golden.ipvsadmRequests(name).get(0);
            assertRequest(
                    name,
                    0,
                    w ->
                            IpvsCodec.stopDaemon(
                                    w,
                                    Golden.FAMILY,
                                    Golden.seq(stop),
                                    Golden.portId(stop),
                                    state));
        }
    }
}
