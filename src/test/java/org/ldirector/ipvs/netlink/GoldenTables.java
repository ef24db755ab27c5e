package org.ldirector.ipvs.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Family;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;

/**
 * The table the golden captures were made with (GoldenCapture writes it, the golden tests expect
 * it).
 */
final class GoldenTables {
    static final ServiceKey TCP4 = ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.1"), 80);
    static final ServiceKey UDP4 = ServiceKey.of(IpvsProtocol.UDP, ip("10.0.0.2"), 53);
    static final ServiceKey SCTP4 = ServiceKey.of(IpvsProtocol.SCTP, ip("10.0.0.3"), 9000);
    static final ServiceKey TCP6 = ServiceKey.of(IpvsProtocol.TCP, ip("2001:db8::1"), 443);
    static final ServiceKey FWM7 = ServiceKey.fwmark(7, Family.INET);
    static final ServiceKey FWM8 = ServiceKey.fwmark(8, Family.INET6);
    static final ServiceKey MISSING = ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.9"), 80);

    static final List<VirtualService> SERVICES =
            List.of(
                    VirtualService.of(TCP4, "wlc"),
                    VirtualService.of(UDP4, "rr").persistent(300, 0xffffff00),
                    VirtualService.of(TCP6, "sh")
                            .withSchedulerFlags(VirtualService.F_SCHED1 | VirtualService.F_SCHED2)
                            .persistent(60, 64),
                    VirtualService.of(FWM7, "lc"),
                    VirtualService.of(FWM8, "lc").onePacket(),
                    VirtualService.of(SCTP4, "rr"));

    static final Destination GATE = Destination.of(ip("10.0.1.1"), 80, Forwarding.ROUTE, 3);
    static final Destination MASQ =
            new Destination(ip("10.0.1.2"), 8080, Forwarding.MASQ, 0, 100, 10);
    static final Destination IPIP = Destination.of(ip("10.0.1.3"), 80, Forwarding.TUNNEL, 1);
    static final Destination GATE6 = Destination.of(ip("2001:db8::10"), 443, Forwarding.ROUTE, 2);
    static final Destination FWM_DEST = Destination.of(ip("10.0.1.5"), 0, Forwarding.ROUTE, 1);

    static final List<IpvsOp> DESTINATION_OPS =
            List.of(
                    new IpvsOp.AddDestination(TCP4, GATE),
                    new IpvsOp.AddDestination(TCP4, MASQ),
                    new IpvsOp.AddDestination(TCP4, IPIP),
                    new IpvsOp.AddDestination(TCP6, GATE6),
                    new IpvsOp.AddDestination(FWM7, FWM_DEST));

    /** Each fails in the kernel: EEXIST, ESRCH, ENOENT, EEXIST, ENOENT, ERANGE, ESRCH, ENOENT. */
    static final List<IpvsOp> ERROR_OPS =
            List.of(
                    new IpvsOp.AddService(VirtualService.of(TCP4, "rr")),
                    new IpvsOp.DeleteService(MISSING),
                    new IpvsOp.AddService(VirtualService.of(MISSING, "nosuch")),
                    new IpvsOp.AddDestination(TCP4, GATE),
                    new IpvsOp.DeleteDestination(
                            TCP4, new Destination.DestinationKey(ip("10.0.9.9"), 80)),
                    new IpvsOp.AddDestination(
                            TCP4, new Destination(ip("10.0.1.9"), 80, Forwarding.ROUTE, 1, 0, 10)),
                    new IpvsOp.AddDestination(MISSING, GATE),
                    new IpvsOp.UpdateDestination(
                            TCP4, Destination.of(ip("10.0.9.9"), 80, Forwarding.ROUTE, 1)));

    static final List<IpvsOp> UPDATE_OPS =
            List.of(
                    new IpvsOp.UpdateService(
                            VirtualService.of(TCP4, "rr").persistent(600, 0xffff0000)),
                    new IpvsOp.UpdateDestination(TCP4, GATE.withWeight(5).withThresholds(50, 5)));

    static final VirtualService MANY_SERVICE =
            VirtualService.of(ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.50"), 80), "wrr");
    static final int MANY = 400;

    static Destination manyDestination(int i) {
        return Destination.of(
                ip("10.1." + (i / 250) + "." + (i % 250 + 1)), 80, Forwarding.MASQ, i % 100);
    }

    private GoldenTables() {}

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
