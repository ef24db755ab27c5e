package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The -t rendering is an interface operators read and diff: pinned in full for one fixture. */
class ConfigPrinterTest {

    @Test
    void lvsNatFixtureRendersEveryEffectiveValue() throws Exception {
        Path file = Path.of("test-fixtures/configs/valid/lvs-nat.cf");
        Config c =
                ConfigParser.parse(
                        Files.readString(file, StandardCharsets.ISO_8859_1),
                        Path.of("lvs-nat.cf"),
                        new FixedResolver());
        String expected =
                """
                # effective configuration of lvs-nat.cf
                # global
                checktimeout=4
                negotiatetimeout=10
                checkinterval=10
                checkcount=1
                failurecount=1
                autoreload=no
                callback=(none)
                fallback=(none)
                fallback6=(none)
                fallbackcommand=(none)
                logfile=\"/var/log/ldirectord.log\"
                emailalert=(none)
                emailalertfrom=(none)
                emailalertfreq=0
                emailalertstatus=all
                smtp=(none: local sendmail)
                supervised=no
                fork=no
                quiescent=yes
                readdquiescent=no
                cleanstop=yes
                maintenancedir=(none)

                # line 7: 10.77.0.100:80
                virtual=10.77.0.100:80
                \treal=10.77.1.11:8080 masq 1\t# line 8, checked on port 8080
                \treal=10.77.1.12:8080 masq 2\t# line 9, checked on port 8080
                \treal=10.77.1.13:8080 masq 3\t# line 10, checked on port 8080
                \tprotocol=tcp
                \tscheduler=wrr
                \tpersistent=(no)
                \tchecktype=negotiate
                \tservice=http
                \trequest=\"/health\"
                \treceive=\"OK\"
                \thttpmethod=GET
                \tchecktimeout=4
                \tnegotiatetimeout=10
                \tcheckinterval=10
                \tcheckcount=1
                \tfailurecount=1
                \tsuccesscount=1
                \tfallback=127.0.0.1:80 masq
                \tfallbackcommand=(none)
                \tquiescent=yes
                \tcleanstop=yes
                \temailalert=(none)
                """;
        assertEquals(expected, ConfigPrinter.print(c));
    }

    @Test
    void rangesAreExpandedOneRealPerLineAndFwmarkVirtualsPrintTheirMark() throws Exception {
        Config c =
                ConfigParser.parse(
                        "virtual=3\n\treal=10.77.1.1->10.77.1.3 gate 2 l:1 u:5\n",
                        Path.of("r.cf"),
                        new FixedResolver());
        String out = ConfigPrinter.print(c);
        assertTrue(out.contains("virtual=3\n"), out);
        assertTrue(out.contains("\treal=10.77.1.1:0 gate 2 l:1 u:5\t# line 2\n"), out);
        assertTrue(out.contains("\treal=10.77.1.3:0 gate 2 l:1 u:5\t# line 2\n"), out);
        assertTrue(out.contains("\tservice=none\n"), out);
    }

    @Test
    void warningsAreFileLineWarning() throws Exception {
        Config c =
                ConfigParser.parse(
                        "supervised\nvirtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n",
                        Path.of("w.cf"),
                        new FixedResolver());
        assertEquals(
                List.of(
                        "w.cf:1: warning: bare 'supervised' means supervised=yes; please write"
                                + " supervised=yes"),
                ConfigPrinter.warnings(c));
    }
}
