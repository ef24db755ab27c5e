package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.ConfigParser;

/** The host-side pieces of the differential test, without a kernel. */
class DifferentialSupportTest {

    @Test
    void forcesCheckTypeOnInEveryVirtualAndKeepsEverythingElse() {
        String in =
                "checktimeout=3\r\n"
                        + "emailalert=root@localhost\r\n"
                        + "virtual=10.0.0.1:80\r\n"
                        + "\treal=10.0.0.2:80 gate\r\n"
                        + "    checktype = negotiate\r\n"
                        + "\t#checktype=ping\r\n"
                        + "virtual6=[::1]:80\n"
                        + "  real6=[::2]:80\n"
                        + "\temailalert = ops@example.org\n"
                        + "virtual=5";
        String out = PerlFixtureCopy.forceCheckTypeOn(in);
        assertEquals(
                "checktimeout=3\r\n"
                        + "#differential: emailalert=root@localhost\r\n"
                        + "virtual=10.0.0.1:80\r\n"
                        + "\tchecktype=on\r\n"
                        + "\treal=10.0.0.2:80 gate\r\n"
                        + "    checktype=on\r\n"
                        + "\t#checktype=ping\r\n"
                        + "virtual6=[::1]:80\n"
                        + "\tchecktype=on\n"
                        + "  real6=[::2]:80\n"
                        + "\t#differential: emailalert = ops@example.org\n"
                        + "virtual=5\n"
                        + "\tchecktype=on",
                out);
    }

    @Test
    void ldirectorsOwnDirectorGivesTheRulesWithEveryRealUp(@TempDir Path dir) throws Exception {
        Path cf =
                Files.writeString(
                        dir.resolve("t.cf"),
                        """
                        virtual=10.0.0.1:80
                        \treal=10.0.0.11 masq 2 l:5 u:100
                        \treal=10.0.0.12:8080 gate 0
                        \treal=10.0.0.13 gate
                        \tfallback=127.0.0.2:80 gate
                        \tscheduler=wrr
                        \tpersistent=300
                        \tnetmask=255.255.255.0
                        \tchecktype=on
                        virtual6=7
                        \treal6=[2001:db8::10]:443 ipip
                        \tscheduler=sh
                        \tnetmask=64
                        \tchecktype=on
                        virtual=10.0.0.53:53
                        \tfallback=127.0.0.1:5353 masq
                        \tscheduler=rr
                        \tops=yes
                        \tchecktype=on
                        """);
        // in the order ipvsadm -Sn prints the table (the kernel lists a service's newest real
        // first)
        assertEquals(
                List.of(
                        "-A -t 10.0.0.1:80 -s wrr -p 300 -M 255.255.255.0",
                        // gate and ipip take the virtual's port, as ipvsadm forces it; masq keeps
                        // ldirectord's :0
                        "-a -t 10.0.0.1:80 -r 10.0.0.13:80 -g -w 1",
                        "-a -t 10.0.0.1:80 -r 10.0.0.12:80 -g -w 0",
                        "-a -t 10.0.0.1:80 -r 10.0.0.11:0 -m -w 2 -x 100 -y 5",
                        // netmask without persistent is not passed by ldirectord (-M only follows
                        // -p)
                        "-A -f 7 -6 -s sh",
                        "-a -f 7 -6 -r [2001:db8::10]:443 -i -w 1 --tun-type ipip",
                        "-A -u 10.0.0.53:53 -s rr -o",
                        "-a -u 10.0.0.53:53 -r 127.0.0.1:5353 -m -w 1"),
                ProgrammedRules.of(ConfigParser.parse(cf)));
    }

    @Test
    void thresholdRowsKeepRealsWithTheirVirtual() {
        String listing =
                """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn
                  -> RemoteAddress:Port
                TCP  10.0.0.2:80 wrr
                  -> 10.0.0.9:80                  0          0          0          0
                TCP  10.0.0.1:80 wrr persistent 300
                  -> 10.0.0.9:80                  100        5          0          0
                """;
        assertEquals(
                "TCP 10.0.0.1:80 wrr persistent 300 -> 10.0.0.9:80 100 5\n"
                        + "TCP 10.0.0.2:80 wrr -> 10.0.0.9:80 0 0",
                DifferentialTest.thresholdRows(listing));
    }
}
