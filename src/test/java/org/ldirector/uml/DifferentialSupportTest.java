package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ldirector.config.AddressFamily;
import org.ldirector.config.Fallback;
import org.ldirector.config.ForwardMethod;
import org.ldirector.config.Protocol;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;

/** The host-side pieces of the differential test, without a kernel. */
class DifferentialSupportTest {

    @Test
    void forcesCheckTypeOnInEveryVirtualAndKeepsEverythingElse() {
        String in = "checktimeout=3\r\nemailalert=root@localhost\r\nvirtual=10.0.0.1:80\r\n\treal=10.0.0.2:80 gate\r\n"
                + "    checktype = negotiate\r\n\t#checktype=ping\r\nvirtual6=[::1]:80\n  real6=[::2]:80\n"
                + "\temailalert = ops@example.org\nvirtual=5";
        String out = PerlFixtureCopy.forceCheckTypeOn(in);
        assertEquals("checktimeout=3\r\n#differential: emailalert=root@localhost\r\nvirtual=10.0.0.1:80\r\n\tchecktype=on\r\n\treal=10.0.0.2:80 gate\r\n"
                + "    checktype=on\r\n\t#checktype=ping\r\nvirtual6=[::1]:80\n\tchecktype=on\n  real6=[::2]:80\n"
                + "\t#differential: emailalert = ops@example.org\nvirtual=5\n\tchecktype=on", out);
    }

    @Test
    void derivesTheRulesLdirectordProgramsWithEveryRealUp() throws Exception {
        VirtualConfig web = virtual(Protocol.TCP, AddressFamily.INET, Optional.of(InetAddress.getByName("10.0.0.1")), 80,
                Optional.empty(), "wrr", Optional.of(300), Optional.of("255.255.255.0"), false,
                List.of(real("10.0.0.11", 0, ForwardMethod.MASQ, 2, Optional.of(5), Optional.of(100)),
                        real("10.0.0.12", 8080, ForwardMethod.GATE, 0, Optional.empty(), Optional.empty()),
                        real("10.0.0.13", 0, ForwardMethod.GATE, 1, Optional.empty(), Optional.empty())),
                Optional.of(new Fallback(InetAddress.getByName("127.0.0.1"), Optional.of(80), ForwardMethod.GATE)));
        assertEquals(List.of(
                "-A -t 10.0.0.1:80 -s wrr -p 300 -M 255.255.255.0",
                "-a -t 10.0.0.1:80 -r 10.0.0.11:0 -m -w 2 -x 100 -y 5",
                "-a -t 10.0.0.1:80 -r 10.0.0.12:8080 -g -w 0",
                "-a -t 10.0.0.1:80 -r 10.0.0.13:80 -g -w 1"), ExpectedIpvsRules.of(web));

        VirtualConfig mark6 = virtual(Protocol.FWM, AddressFamily.INET6, Optional.empty(), 0, Optional.of(7), "sh",
                Optional.empty(), Optional.of("64"), false,
                List.of(real("2001:db8::10", 443, ForwardMethod.IPIP, 1, Optional.empty(), Optional.empty())),
                Optional.empty());
        // netmask without persistent is not passed by ldirectord (-M only follows -p).
        assertEquals(List.of("-A -f 7 -6 -s sh", "-a -f 7 -6 -r [2001:db8::10]:443 -i -w 1"),
                ExpectedIpvsRules.of(mark6));

        VirtualConfig dnsOnlyFallback = virtual(Protocol.UDP, AddressFamily.INET,
                Optional.of(InetAddress.getByName("10.0.0.53")), 53, Optional.empty(), "rr", Optional.empty(),
                Optional.empty(), true, List.of(),
                Optional.of(new Fallback(InetAddress.getByName("127.0.0.1"), Optional.of(5353), ForwardMethod.MASQ)));
        assertEquals(List.of("-A -u 10.0.0.53:53 -s rr -o", "-a -u 10.0.0.53:53 -r 127.0.0.1:5353 -m -w 1"),
                ExpectedIpvsRules.of(dnsOnlyFallback));
    }

    @Test
    void ipv6AddressesAreWrittenTheWayIpvsadmPrintsThem() throws Exception {
        for (String ip : List.of("2001:db8::10", "::1", "::", "fe80::1:0:0:1", "1:0:0:2::", "2001:db8:1:2:3:4:5:6",
                "1:0:1:0:1:0:1:0")) {
            assertEquals(ip, ExpectedIpvsRules.ipv6Text(InetAddress.getByName(ip).getAddress()));
        }
    }

    @Test
    void thresholdRowsKeepRealsWithTheirVirtual() {
        String listing = """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn
                  -> RemoteAddress:Port
                TCP  10.0.0.2:80 wrr
                  -> 10.0.0.9:80                  0          0          0          0
                TCP  10.0.0.1:80 wrr persistent 300
                  -> 10.0.0.9:80                  100        5          0          0
                """;
        assertEquals("TCP 10.0.0.1:80 wrr persistent 300 -> 10.0.0.9:80 100 5\n"
                + "TCP 10.0.0.2:80 wrr -> 10.0.0.9:80 0 0", DifferentialTest.thresholdRows(listing));
    }

    private static Real real(String ip, int port, ForwardMethod fwd, int weight, Optional<Integer> lower,
                             Optional<Integer> upper) throws Exception {
        return new Real(1, InetAddress.getByName(ip), port, fwd, weight, Optional.empty(), Optional.empty(), lower, upper);
    }

    private static VirtualConfig virtual(Protocol protocol, AddressFamily family, Optional<InetAddress> address, int port,
                                         Optional<Integer> fwmark, String scheduler, Optional<Integer> persistent,
                                         Optional<String> netmask, boolean ops, List<Real> reals,
                                         Optional<Fallback> fallback) {
        // Check, alerts and the rest play no part in the IPVS rules.
        return new VirtualConfig(1, family, protocol, address, port, fwmark, "test", null, Duration.ofSeconds(10), false,
                1, scheduler, Optional.empty(), persistent, netmask, ops, reals, fallback, Optional.empty(), false, true,
                null, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
