package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.ServiceEntry;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.Stats;
import org.ldirector.ipvs.VirtualService;
import org.ldirector.uml.UmlHarness;

/**
 * Real traffic through a real LVS-NAT service (client and real server in network namespaces set up
 * by {@link #TOPOLOGY}), then the counters we read back are compared with ipvsadm's.
 */
@Tag("in-uml")
class IpvsCountersInUmlTest {
    /**
     * Director in the root namespace: VIP 10.77.0.1 on lo, client net 10.77.2.0/24, real net
     * 10.77.1.0/24.
     */
    static final String TOPOLOGY =
            """
            set -e
            modprobe veth
            sysctl -qw net.ipv4.ip_forward=1
            ip addr add 10.77.0.1/32 dev lo
            for ns in real client; do ip netns add $ns; ip -n $ns link set lo up; done
            ip link add vreal type veth peer name eth0 netns real
            ip link add vclient type veth peer name eth0 netns client
            ip addr add 10.77.1.1/24 dev vreal; ip link set vreal up
            ip addr add 10.77.2.1/24 dev vclient; ip link set vclient up
            ip -n real addr add 10.77.1.2/24 dev eth0; ip -n real link set eth0 up
            ip -n real route add default via 10.77.1.1
            ip -n client addr add 10.77.2.2/24 dev eth0; ip -n client link set eth0 up
            ip -n client route add default via 10.77.2.1
            mkdir -p /tmp/www; echo hello > /tmp/www/index.html
            (cd /tmp/www && exec ip netns exec real python3 -m http.server 80 --bind 10.77.1.2 >/dev/null 2>&1) &
            for i in $(seq 1 300); do ip netns exec real bash -c 'exec 3<>/dev/tcp/10.77.1.2/80' 2>/dev/null && break; sleep 0.1; done
            """;

    private static String run(String... cmd) throws Exception {
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + ": " + out);
        return out;
    }

    @Test
    void connectionCountersAndStatsMatchIpvsadm() throws Exception {
        assumeTrue(UmlHarness.insideUml(), "runs as root inside User-Mode Linux only");
        ServiceKey vip = ServiceKey.of(IpvsProtocol.TCP, InetAddress.getByName("10.77.0.1"), 80);
        Destination real =
                Destination.of(InetAddress.getByName("10.77.1.2"), 80, Forwarding.MASQ, 1);
        try (NetlinkIpvsTable table = NetlinkIpvsTable.open()) {
            table.flush();
            table.addService(VirtualService.of(vip, "rr"));
            table.addDestination(vip, real);
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        "hello\n",
                        run(
                                "ip",
                                "netns",
                                "exec",
                                "client",
                                "curl",
                                "-sS",
                                "-m",
                                "20",
                                "http://10.77.0.1/"));
            }
            // One connection held open: an active connection for the drain logic to see.
            Process held =
                    new ProcessBuilder(
                                    "ip",
                                    "netns",
                                    "exec",
                                    "client",
                                    "bash",
                                    "-c",
                                    "exec 3<>/dev/tcp/10.77.0.1/80; echo open; sleep 120")
                            .start();
            try {
                assertEquals('o', held.getInputStream().read());
                DestinationEntry d = awaitActive(table, vip);
                assertEquals(1, d.activeConnections());
                assertEquals(3, d.inactiveConnections());
                // Counters are per-CPU and only summed by the rate estimator every 2 s: wait for
                // it.
                Stats counted = awaitConns(table, vip, 4);
                assertEquals(4, counted.conns(), counted::toString);
                assertTrue(
                        counted.inPackets() > 0
                                && counted.outPackets() > 0
                                && counted.inBytes() > 0
                                && counted.outBytes() > 0,
                        counted.toString());
                ServiceEntry s = table.services().get(0);
                assertEquals(4, s.stats().conns());

                // ipvsadm sees the same numbers: the connection columns via our renderer, the
                // counters via --stats --exact.
                assertEquals(run("ipvsadm", "-Ln"), table.listText());
                String stats = run("ipvsadm", "-Ln", "--stats", "--exact");
                Stats now = table.destinations(vip).get(0).stats();
                Matcher m =
                        Pattern.compile(
                                        "-> 10\\.77\\.1\\.2:80\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)")
                                .matcher(stats);
                assertTrue(m.find(), stats);
                assertEquals(
                        List.of(
                                now.conns(),
                                now.inPackets(),
                                now.outPackets(),
                                now.inBytes(),
                                now.outBytes()),
                        List.of(
                                Long.parseLong(m.group(1)),
                                Long.parseLong(m.group(2)),
                                Long.parseLong(m.group(3)),
                                Long.parseLong(m.group(4)),
                                Long.parseLong(m.group(5))));
            } finally {
                held.destroyForcibly();
            }
        }
    }

    private static Stats awaitConns(NetlinkIpvsTable table, ServiceKey vip, long conns)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Stats s = table.destinations(vip).get(0).stats();
            if (s.conns() >= conns || System.nanoTime() > deadline) {
                return s;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * The held connection registers when its handshake completes; poll with a generous deadline.
     */
    private static DestinationEntry awaitActive(NetlinkIpvsTable table, ServiceKey vip)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            DestinationEntry d = table.destinations(vip).get(0);
            if (d.activeConnections() > 0 || System.nanoTime() > deadline) {
                return d;
            }
            Thread.onSpinWait();
        }
    }
}
