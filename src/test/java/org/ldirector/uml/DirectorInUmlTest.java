package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The scenario an LVS operator runs by hand, against the real ldirector daemon (bin/ldirector -d)
 * and a real kernel: curl the VIP, spread by weight, take reals down and bring them back, watch the
 * fallback come and go, delete entries by hand and see them repaired, edit the config and see it
 * applied, restart the daemon under a running download.
 */
@Tag("uml")
class DirectorInUmlTest {

    @BeforeAll
    static void needsUmlAndJar() {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        assumeTrue(
                Files.exists(UmlHarness.projectRoot().resolve("target/ldirector.jar")),
                "run mvn package first");
    }

    private static String prelude(String config) {
        String root = UmlHarness.projectRoot().toString();
        return ". "
                + root
                + "/test-fixtures/uml/topology.sh\n"
                + "LD="
                + root
                + "/bin/ldirector\n"
                + "cat > /tmp/ld.cf <<'EOF'\n"
                + config
                + "EOF\n"
                + """
                count_reals() { ipvsadm -Ln | grep -c -- '-> 10.77.1.1' || true; }
                reals_are() { [ "$(count_reals)" = "$1" ]; }
                start_ld() { "$LD" -d /tmp/ld.cf start >>/tmp/ld.out 2>&1 & echo $! > /tmp/ld.pid; }
                stop_ld() { kill -TERM "$(cat /tmp/ld.pid)"; topo_wait_until "ldirector to exit" 60 sh -c '! kill -0 $(cat /tmp/ld.pid)'; }
                trap 'echo "--- ldirector log"; cat /tmp/ld.log 2>/dev/null; echo "--- ldirector output"; cat /tmp/ld.out 2>/dev/null' EXIT
                """;
    }

    static final String NAT =
            """
            checktimeout=2
            checkinterval=1
            autoreload=yes
            logfile="/tmp/ld.log"
            cleanstop=no
            virtual=10.77.0.100:80
            \treal=10.77.1.11:80 masq 1
            \treal=10.77.1.12:80 masq 2
            \treal=10.77.1.13:80 masq 3
            \tfallback=127.0.0.1:80 gate
            \tservice=http
            \trequest="/health"
            \treceive="OK"
            \tscheduler=wrr
            \tchecktype=negotiate
            """;

    @Test
    void natFailoverFallbackRepairAndReload() {
        UmlResult r =
                UmlHarness.runScript(
                        prelude(NAT)
                                + """
                                set -e
                                topo_nat_up
                                sorry_start
                                start_ld
                                topo_wait_until "three reals in the table" 120 reals_are 3
                                ipvsadm -Ln
                                echo "spread: $(for i in $(seq 1 12); do client_curl http://10.77.0.100/; done | sort | uniq -c | xargs)"
                                real_stop 2
                                topo_wait_until "real2 to leave the table" 60 sh -c '! ipvsadm -Ln | grep -q 10.77.1.12'
                                fails=0
                                for i in $(seq 1 10); do [ -n "$(client_curl http://10.77.0.100/)" ] || fails=$((fails+1)); done
                                echo "failed requests after detection: $fails"
                                real_stop 1; real_stop 3
                                topo_wait_until "the fallback to serve" 60 sh -c 'ipvsadm -Ln | grep -q 127.0.0.1:80'
                                echo "all down: $(client_curl http://10.77.0.100/)"
                                real_start 1
                                topo_wait_until "the fallback to leave" 60 sh -c '! ipvsadm -Ln | grep -q 127.0.0.1:80'
                                echo "one back: $(client_curl http://10.77.0.100/)"
                                ipvsadm -C
                                topo_wait_until "the table to be repaired" 30 sh -c 'ipvsadm -Ln | grep -q 10.77.1.11'
                                echo "repaired"
                                sed -i 's/real=10.77.1.11:80 masq 1/real=10.77.1.11:80 masq 5/' /tmp/ld.cf
                                topo_wait_until "the edited weight" 30 sh -c 'ipvsadm -Ln | grep 10.77.1.11 | grep -q " 5 "'
                                echo "reloaded"
                                printf 'virtual=10.77.0.100:80\\n\\treal=nonsense\\n' > /tmp/broken.cf
                                cp /tmp/ld.cf /tmp/good.cf; cat /tmp/broken.cf > /tmp/ld.cf
                                topo_wait_until "the broken config to be reported" 30 grep -q "keeping the running configuration" /tmp/ld.log
                                echo "after broken config: $(count_reals) real(s), $(client_curl http://10.77.0.100/)"
                                stop_ld
                                """,
                        Duration.ofSeconds(600));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("spread: 2 real1 4 real2 6 real3"), r::describe);
        assertTrue(r.output().contains("failed requests after detection: 0"), r::describe);
        assertTrue(r.output().contains("all down: sorry"), r::describe);
        assertTrue(r.output().contains("one back: real1"), r::describe);
        assertTrue(r.output().contains("repaired"), r::describe);
        assertTrue(r.output().contains("reloaded"), r::describe);
        assertTrue(r.output().contains("after broken config: 1 real(s), real1"), r::describe);
        // the operator log keeps ldirectord's format and words
        assertTrue(
                r.output()
                        .matches(
                                "(?s).*\\[\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d"
                                    + " \\d{4}\\|ld\\.cf\\|\\d+\\] Added real server:"
                                    + " 10\\.77\\.1\\.11:80 \\(10\\.77\\.0\\.100:80\\) \\(Weight"
                                    + " set to 1\\).*"),
                r::describe);
        assertTrue(
                r.output().contains("Deleted real server: 10.77.1.12:80 (10.77.0.100:80)"),
                r::describe);
        assertTrue(
                r.output()
                        .contains(
                                "Added fallback server: 127.0.0.1:80 (10.77.0.100:80) (Weight set"
                                        + " to 1)"),
                r::describe);
        assertTrue(r.output().contains("(repair)"), r::describe);
    }

    @Test
    void restartUnderALongDownloadLetsItComplete() {
        UmlResult r =
                UmlHarness.runScript(
                        prelude(NAT)
                                + """
                                set -e
                                topo_nat_up
                                start_ld
                                topo_wait_until "three reals in the table" 120 reals_are 3
                                ip netns exec client curl -s --limit-rate 1M -o /tmp/big http://10.77.0.100/bytes/8000000 &
                                dl=$!
                                topo_wait_until "the download to start" 30 sh -c '[ -s /tmp/big ]'
                                stop_ld
                                echo "table while stopped: $(count_reals) real(s)"
                                start_ld
                                topo_wait_until "ldirector back" 120 grep -q "Starting" /tmp/ld.log
                                wait $dl
                                echo "downloaded: $(wc -c < /tmp/big)"
                                stop_ld
                                """,
                        Duration.ofSeconds(600));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("table while stopped: 3 real(s)"), r::describe);
        assertTrue(r.output().contains("downloaded: 8000000"), r::describe);
    }

    @Test
    void drRealsFailOverAndComeBack() {
        String dr = NAT.replace("masq", "gate");
        UmlResult r =
                UmlHarness.runScript(
                        prelude(dr)
                                + """
                                set -e
                                topo_dr_up
                                start_ld
                                topo_wait_until "three reals in the table" 120 reals_are 3
                                ipvsadm -Ln
                                echo "spread: $(for i in $(seq 1 12); do client_curl http://10.77.0.100/; done | sort | uniq -c | xargs)"
                                real_stop 3
                                topo_wait_until "real3 to leave the table" 60 sh -c '! ipvsadm -Ln | grep -q 10.77.1.13'
                                fails=0
                                for i in $(seq 1 9); do [ -n "$(client_curl http://10.77.0.100/)" ] || fails=$((fails+1)); done
                                echo "failed requests after detection: $fails"
                                real_start 3
                                topo_wait_until "real3 back" 60 reals_are 3
                                echo "back: $(for i in $(seq 1 12); do client_curl http://10.77.0.100/; done | sort | uniq -c | xargs)"
                                stop_ld
                                """,
                        Duration.ofSeconds(600));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("Route   1"), r::describe);
        assertTrue(r.output().contains("spread: 2 real1 4 real2 6 real3"), r::describe);
        assertTrue(r.output().contains("failed requests after detection: 0"), r::describe);
        assertTrue(r.output().contains("back: 2 real1 4 real2 6 real3"), r::describe);
    }

    static final String FWMARK =
            """
            checktimeout=2
            checkinterval=1
            logfile="/tmp/ld.log"
            virtual=1
            \treal=10.77.1.11:80 masq 1
            \treal=10.77.1.12:80 masq 1
            \treal=10.77.1.13:80 masq 1
            \tservice=http
            \trequest="/health"
            \treceive="OK"
            \tscheduler=rr
            \tpersistent=300
            \tchecktype=negotiate
            """;

    @Test
    void fwmarkVirtualWithPersistenceKeepsAClientOnOneReal() {
        UmlResult r =
                UmlHarness.runScript(
                        prelude(FWMARK)
                                + """
                                set -e
                                topo_nat_up
                                iptables-legacy -t mangle -A PREROUTING -d 10.77.0.100/32 -p tcp --dport 80 -j MARK --set-mark 1
                                start_ld
                                topo_wait_until "three reals in the table" 120 reals_are 3
                                ipvsadm -Ln
                                echo "sticky: $(for i in $(seq 1 9); do client_curl http://10.77.0.100/; done | sort | uniq -c | wc -l) real(s) answered"
                                stop_ld
                                """,
                        Duration.ofSeconds(600));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("FWM  1 rr persistent 300"), r::describe);
        assertTrue(r.output().contains("sticky: 1 real(s) answered"), r::describe);
    }
}
