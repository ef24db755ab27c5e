package org.ldirector.ipvs.netlink;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.ServiceDump;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;

/**
 * Benchmark half run by test-fixtures/bench/ipvs-bench.sh inside UML: applies 100 services and
 * 10,000 destinations through NetlinkIpvsTable, dumps them back, and writes the same table as
 * ipvsadm -R input (10,100 lines) so the script can time ipvsadm on identical work.
 *
 * <p>{@code IpvsBench <rules-file> <rounds>}; prints one "ldirector round N: ..." line per round.
 */
public final class IpvsBench {
    static final int SERVICES = 100;
    static final int DESTINATIONS_PER_SERVICE = 100;

    private IpvsBench() {}

    public static void main(String[] args) throws Exception {
        Path rules = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<IpvsOp> ops = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int s = 0; s < SERVICES; s++) {
            String vip = "10.80." + s + ".1";
            ServiceKey key = ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName(vip), 80);
            ops.add(new IpvsOp.AddService(VirtualService.of(key, "wrr")));
            text.append("-A -t ").append(vip).append(":80 -s wrr\n");
            for (int d = 0; d < DESTINATIONS_PER_SERVICE; d++) {
                String rip = "10.81." + s + "." + (d + 1);
                ops.add(
                        new IpvsOp.AddDestination(
                                key,
                                Destination.of(
                                        InetAddress.getByName(rip),
                                        8080,
                                        Forwarding.MASQ,
                                        d % 10)));
                text.append("-a -t ")
                        .append(vip)
                        .append(":80 -r ")
                        .append(rip)
                        .append(":8080 -m -w ")
                        .append(d % 10)
                        .append('\n');
            }
        }
        Files.writeString(rules, text.toString());
        System.out.println(
                "ldirector: JVM up "
                        + ManagementFactory.getRuntimeMXBean().getUptime()
                        + " ms before the first netlink call; "
                        + ops.size()
                        + " ops");
        try (NetlinkIpvsTable table = NetlinkIpvsTable.open()) {
            for (int round = 1; round <= rounds; round++) {
                table.flush();
                long t0 = System.nanoTime();
                List<IpvsTable.OpResult> results = table.apply(ops);
                long t1 = System.nanoTime();
                List<ServiceDump> dump = table.dump();
                long t2 = System.nanoTime();
                String saved = table.saveText();
                long t3 = System.nanoTime();
                long failed = results.stream().filter(r -> !r.ok()).count();
                int dests = dump.stream().mapToInt(d -> d.destinations().size()).sum();
                if (failed != 0 || dests != SERVICES * DESTINATIONS_PER_SERVICE) {
                    throw new IllegalStateException(
                            "round " + round + ": " + failed + " failed ops, " + dests + " dumped");
                }
                System.out.printf(
                        "ldirector round %d: apply %d ms, dump %d ms, dump+render -Sn %d ms (%d"
                                + " lines)%n",
                        round, ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), saved.lines().count());
            }
            table.flush();
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
