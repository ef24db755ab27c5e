package org.ldirector.ipvs.netlink;

import java.net.InetAddress;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;

/**
 * Prints what an operator sees when reading and changing the table, one line per attempt ("dump:
 * ..." / "add: ..."). Run by UnprivilegedInUmlTest as an unprivileged user.
 */
public final class IpvsProbe {
    private IpvsProbe() {}

    public static void main(String[] args) throws Exception {
        try (NetlinkIpvsTable table = NetlinkIpvsTable.open()) {
            try {
                System.out.println("dump: " + table.services().size() + " services");
            } catch (IpvsException e) {
                System.out.println("dump: errno " + e.errno() + ": " + e.getMessage());
            }
            try {
                table.addService(
                        VirtualService.of(
                                ServiceKey.of(
                                        IpvsProtocol.TCP, InetAddress.getByName("10.77.0.1"), 80),
                                "rr"));
                System.out.println("add: ok");
            } catch (IpvsException e) {
                System.out.println("add: errno " + e.errno() + ": " + e.getMessage());
            }
        } catch (IpvsException e) {
            System.out.println("open: errno " + e.errno() + ": " + e.getMessage());
        }
    }
}
