package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What makes two virtual= blocks the same service, and how a virtual is named. */
class VirtualIdentityTest {
    private static final Path F = Path.of("id.cf");

    private static Config parse(String text) throws ConfigException {
        return ConfigParser.parse(text, F, new FixedResolver());
    }

    private static List<String> errors(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text));
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void tcpAndUdpOnOneAddressAndPortAreTwoVirtuals() throws Exception {
        Config c =
                parse(
                        "virtual=10.77.0.53:53\n\tprotocol=tcp\n\treal=10.77.1.2:53 gate\n"
                                + "virtual=10.77.0.53:53\n\treal=10.77.1.2:53 gate\n");
        VirtualConfig tcp = c.virtuals().get(0);
        VirtualConfig udp = c.virtuals().get(1);
        assertEquals("tcp:10.77.0.53:53", tcp.id().toString());
        assertEquals("udp:10.77.0.53:53", udp.id().toString());
        assertNotEquals(tcp.id(), udp.id());
        assertNotEquals(tcp.id(tcp.reals().get(0)), udp.id(udp.reals().get(0)));
        assertEquals("10.77.1.2:53 (udp:10.77.0.53:53)", udp.id(udp.reals().get(0)).toString());
    }

    @Test
    void theSameProtocolTwiceIsADuplicateNamedByItsId() {
        List<String> e =
                errors(
                        "virtual=10.77.0.53:53\n\treal=10.77.1.2:53 gate\n"
                                + "virtual=10.77.0.53:domain\n\treal=10.77.1.3:53 gate\n");
        assertTrue(
                e.stream()
                        .anyMatch(
                                m ->
                                        m.startsWith("id.cf:3:")
                                                && m.contains(
                                                        "duplicate virtual server 10.77.0.53:domain"
                                                                + " (udp:10.77.0.53:53)")
                                                && m.contains("at line 1")),
                e.toString());
    }

    @Test
    void anIpv6DuplicateIsNamedCompressedAsInetNtopWritesIt() {
        List<String> e =
                errors(
                        "virtual6=[2001:db8::1]:80\n\treal6=[2001:db8::2]:80 gate\n"
                                + "virtual6=[2001:db8:0:0::1]:80\n\treal6=[2001:db8::3]:80 gate\n");
        assertTrue(e.stream().anyMatch(m -> m.contains("(tcp:[2001:db8::1]:80)")), e.toString());
    }

    @Test
    void aMarkAbove2To31IsUnsignedInItsIdItsDuplicateMessageAndTheConfigDump() throws Exception {
        Config c = parse("virtual=3000000000\n\treal=10.77.1.2:80 gate\n");
        VirtualConfig v = c.virtuals().get(0);
        assertEquals("fwm:3000000000", v.id().toString());
        assertEquals("3000000000", v.id().vip());
        assertEquals("10.77.1.2:80 (fwm:3000000000)", v.id(v.reals().get(0)).toString());
        String dump = ConfigPrinter.print(c);
        assertTrue(dump.contains("\nvirtual=3000000000\n"), dump);
        assertTrue(!dump.contains("-1294967296"), dump);

        List<String> e =
                errors(
                        "virtual=3000000000\n\treal=10.77.1.2:80 gate\n"
                                + "virtual=3000000000\n\treal=10.77.1.3:80 gate\n");
        assertTrue(e.stream().anyMatch(m -> m.contains("(fwm:3000000000)")), e.toString());
    }

    @Test
    void oneMarkForIpv4AndForIpv6IsTwoVirtuals() throws Exception {
        Config c =
                parse(
                        "virtual=7\n"
                                + "\treal=10.77.1.2:80 gate\n"
                                + "virtual6=7\n"
                                + "\treal6=[2001:db8::2]:80 gate\n");
        assertEquals("fwm:7", c.virtuals().get(0).id().toString());
        assertEquals("fwm6:7", c.virtuals().get(1).id().toString());
    }

    @Test
    void theConfigDumpWritesIpv6AsInetNtopDoes() throws Exception {
        Config c =
                parse(
                        "virtual6=[2001:db8:0:0::1]:80\n\treal6=[2001:db8:0:0:0:0:0:2]:80 masq\n"
                                + "\tfallback6=[2001:db8:0::99]:80 masq\n");
        String dump = ConfigPrinter.print(c);
        assertTrue(dump.contains("\nvirtual6=[2001:db8::1]:80\n"), dump);
        assertTrue(dump.contains("\treal6=[2001:db8::2]:80 masq 1"), dump);
        assertTrue(dump.contains("\tfallback6=[2001:db8::99]:80 masq\n"), dump);
    }
}
