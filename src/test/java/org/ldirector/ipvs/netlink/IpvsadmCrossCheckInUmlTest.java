package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.Family;
import org.ldirector.ipvs.Forwarding;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsProtocol;
import org.ldirector.ipvs.ServiceDump;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;
import org.ldirector.sys.Errno;
import org.ldirector.uml.UmlHarness;

/**
 * ldirector and the real ipvsadm on one kernel, both ways: what we write ipvsadm reads back
 * identically, and what ipvsadm -R writes our dump renders identically. Inside UML only.
 */
@Tag("in-uml")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IpvsadmCrossCheckInUmlTest {
    private NetlinkIpvsTable table;

    @BeforeAll
    void open() throws Exception {
        assumeTrue(UmlHarness.insideUml(), "runs as root inside User-Mode Linux only");
        table = NetlinkIpvsTable.open();
    }

    @BeforeEach
    void emptyTable() throws Exception {
        table.flush();
    }

    @AfterAll
    void close() throws Exception {
        if (table != null) {
            table.close();
        }
    }

    private record Run(int exit, String out) {}

    private static Run ipvsadm(Path stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("ipvsadm");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.redirectInput(
                stdin == null
                        ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.from(stdin.toFile()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "ipvsadm " + cmd + " hung");
        return new Run(p.exitValue(), out);
    }

    private static String ok(Path stdin, String... args) throws Exception {
        Run r = ipvsadm(stdin, args);
        assertEquals(0, r.exit(), () -> "ipvsadm " + String.join(" ", args) + ": " + r.out());
        return r.out();
    }

    private static Path resource(String name) throws IOException {
        try (InputStream in =
                IpvsadmCrossCheckInUmlTest.class.getResourceAsStream(
                        "/org/ldirector/ipvs/ipvsadm/" + name)) {
            Path tmp = Files.createTempFile("ipvsadm-", "-" + name);
            Files.write(tmp, in.readAllBytes());
            return tmp;
        }
    }

    private static InetAddress ip(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    @Test
    void whatLdirectorWritesIpvsadmReadsIdentically() throws Exception {
        ServiceKey web = ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.1"), 80);
        ServiceKey web6 = ServiceKey.of(IpvsProtocol.TCP, ip("2001:db8::1"), 443);
        ServiceKey mark = ServiceKey.fwmark(7, Family.INET);
        List<IpvsOp> ops =
                List.of(
                        new IpvsOp.AddService(VirtualService.of(web, "wlc")),
                        new IpvsOp.AddDestination(
                                web, Destination.of(ip("10.0.1.1"), 80, Forwarding.ROUTE, 3)),
                        new IpvsOp.AddDestination(
                                web,
                                new Destination(ip("10.0.1.2"), 8080, Forwarding.MASQ, 0, 100, 10)),
                        new IpvsOp.AddDestination(
                                web, Destination.of(ip("10.0.1.3"), 80, Forwarding.TUNNEL, 1)),
                        new IpvsOp.AddService(
                                VirtualService.of(
                                                ServiceKey.of(IpvsProtocol.UDP, ip("10.0.0.2"), 53),
                                                "rr")
                                        .persistent(300, 0xffffff00)),
                        new IpvsOp.AddService(
                                VirtualService.of(web6, "sh")
                                        .withSchedulerFlags(
                                                VirtualService.F_SCHED1 | VirtualService.F_SCHED2)
                                        .persistent(60, 64)),
                        new IpvsOp.AddDestination(
                                web6, Destination.of(ip("2001:db8::10"), 443, Forwarding.ROUTE, 2)),
                        new IpvsOp.AddService(VirtualService.of(mark, "lc")),
                        new IpvsOp.AddService(
                                VirtualService.of(ServiceKey.fwmark(8, Family.INET6), "lc")
                                        .onePacket()),
                        new IpvsOp.AddService(
                                VirtualService.of(
                                        ServiceKey.of(IpvsProtocol.SCTP, ip("10.0.0.3"), 9000),
                                        "rr")),
                        new IpvsOp.AddDestination(
                                mark, Destination.of(ip("10.0.1.5"), 0, Forwarding.ROUTE, 1)),
                        new IpvsOp.AddService(
                                VirtualService.of(
                                                ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.4"), 80),
                                                "wrr")
                                        .persistent(360)),
                        new IpvsOp.AddService(
                                VirtualService.of(
                                                ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.5"), 80),
                                                "rr")
                                        .withSchedulerFlags(
                                                VirtualService.F_SCHED1
                                                        | VirtualService.F_SCHED3)));
        assertTrue(table.apply(ops).stream().allMatch(r -> r.ok()));
        String golden = Files.readString(resource("a.Sn"));
        assertEquals(golden, ok(null, "-Sn"));
        assertEquals(golden, table.saveText());
        assertEquals(ok(null, "-Ln"), table.listText());
    }

    @Test
    void whatIpvsadmRestoreWritesLdirectorReadsIdentically() throws Exception {
        ok(resource("a.rules"), "-R");
        assertEquals(ok(null, "-Sn"), table.saveText());
        assertEquals(ok(null, "-Ln"), table.listText());
        // Thresholds are not in -Sn: check them on the dump itself.
        ServiceKey web = ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.1"), 80);
        assertTrue(
                table.destinations(web).stream()
                        .map(DestinationEntry::destination)
                        .anyMatch(
                                new Destination(ip("10.0.1.2"), 8080, Forwarding.MASQ, 0, 100, 10)
                                        ::equals));
    }

    @Test
    void sortingCornerCasesRenderLikeIpvsadm() throws Exception {
        ok(resource("b.rules"), "-R");
        assertEquals(ok(null, "-Ln"), table.listText());
        assertEquals(ok(null, "-Sn"), table.saveText());
    }

    @Test
    void errorsAgreeWithIpvsadm() throws Exception {
        ok(null, "-A", "-t", "10.0.0.1:80", "-s", "rr");
        ServiceKey web = ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.1"), 80);
        IpvsException dup =
                Assertions.assertThrows(
                        IpvsException.class, () -> table.addService(VirtualService.of(web, "wlc")));
        assertEquals(Errno.EEXIST, dup.errno());
        table.addDestination(web, Destination.of(ip("10.0.1.1"), 80, Forwarding.ROUTE, 1));
        Run again = ipvsadm(null, "-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1:80", "-g");
        assertEquals(255, again.exit());
        assertEquals("Destination already exists\n", again.out());
        Run missing = ipvsadm(null, "-D", "-t", "10.0.0.9:80");
        assertEquals("No such service\n", missing.out());
        IpvsException ours =
                Assertions.assertThrows(
                        IpvsException.class,
                        () ->
                                table.deleteService(
                                        ServiceKey.of(IpvsProtocol.TCP, ip("10.0.0.9"), 80)));
        assertEquals(Errno.ESRCH, ours.errno());
        Run sched = ipvsadm(null, "-A", "-t", "10.0.0.9:80", "-s", "nosuch");
        assertEquals("Scheduler or persistence engine not found\n", sched.out());
        assertEquals(
                Errno.ENOENT,
                Assertions.assertThrows(
                                IpvsException.class,
                                () ->
                                        table.addService(
                                                VirtualService.of(
                                                        ServiceKey.of(
                                                                IpvsProtocol.TCP,
                                                                ip("10.0.0.9"),
                                                                80),
                                                        "nosuch")))
                        .errno());
    }

    @Test
    void tenThousandDestinationsFromIpvsadmRestoreDumpIdentically() throws Exception {
        Path rules = Files.createTempFile("bench-", ".rules");
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < 100; s++) {
            sb.append("-A -t 10.80.").append(s).append(".1:80 -s wrr\n");
            for (int d = 0; d < 100; d++) {
                sb.append("-a -t 10.80.")
                        .append(s)
                        .append(".1:80 -r 10.81.")
                        .append(s)
                        .append('.')
                        .append(d + 1)
                        .append(":8080 -m -w ")
                        .append(d % 10)
                        .append('\n');
            }
        }
        Files.writeString(rules, sb.toString());
        ok(rules, "-R");
        List<ServiceDump> dump = table.dump();
        assertEquals(100, dump.size());
        assertEquals(10_000, dump.stream().mapToInt(d -> d.destinations().size()).sum());
        assertEquals(ok(null, "-Sn"), table.saveText());
    }
}
