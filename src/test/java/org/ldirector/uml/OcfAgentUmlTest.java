package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The OCF agent and the daemon's verbs on a real kernel: resource-agents' own ocf-tester passes
 * against ocf/ldirector driving bin/ldirector (the packaged jar), and what start and stop do to the
 * IPVS table is what an operator expects (cleanstop=yes removes the virtual).
 */
@Tag("uml")
class OcfAgentUmlTest {
    /**
     * Two ocf-tester runs call the agent some forty times, each starting one or more JVMs, which
     * take seconds each in User-Mode Linux: in a fresh root on a two-core machine the script went
     * past 600 s while still passing every step.
     */
    private static final Duration UML_DEADLINE = Duration.ofSeconds(1200);

    @BeforeAll
    static void needs() {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/ocf-tester")),
                "resource-agents is not installed");
        assertTrue(
                Files.isRegularFile(UmlHarness.projectRoot().resolve("target/ldirector.jar")),
                "mvn package first");
    }

    @Test
    void ocfTesterPassesAndStartStopProgramAndCleanTheKernel() {
        Path root = UmlHarness.projectRoot();
        UmlResult r =
                UmlHarness.runScript(
                        """
                        set -e
                        export OCF_ROOT=/usr/lib/ocf
                        # ocf-tester runs the agent as nobody once (meta-data): installed as a package
                        # installs it, since a checkout under /root (mode 0700) is out of nobody's reach
                        AGENT=/tmp/ocf/ldirector
                        install -D -m 0755 %1$s/ocf/ldirector $AGENT
                        BIN=%1$s/bin/ldirector
                        modprobe dummy; ip link add sync0 type dummy; ip link set sync0 up
                        cat > $UML_OUT/web.cf <<EOF
                        logfile="$UML_OUT/ldirector.log"
                        syncdaemon=backup
                        syncinterface=sync0
                        syncid=4
                        checkinterval=1
                        virtual=10.77.0.100:80
                        	real=10.77.1.11:80 masq 2
                        	checktype=on
                        EOF
                        echo "== ocf-tester"
                        ocf-tester -n lvs -o configfile=$UML_OUT/web.cf -o binary=$BIN $AGENT 2>&1 | tail -8
                        echo "== ocf-tester promotable"
                        ocf-tester -n lvs -o configfile=$UML_OUT/web.cf -o binary=$BIN -o CRM_meta_promotable=true $AGENT 2>&1 | tail -4
                        echo "== promotable by hand"
                        (
                        export OCF_RESKEY_configfile=$UML_OUT/web.cf OCF_RESKEY_binary=$BIN OCF_RESKEY_CRM_meta_promotable=true
                        $AGENT start; echo "p-start: $?"
                        echo "p-started: [$(ipvsadm -L --daemon)]"
                        $AGENT monitor; echo "p-monitor unpromoted: $?"
                        $AGENT promote; echo "p-promote: $?"
                        echo "p-promoted: [$(ipvsadm -L --daemon)]"
                        $AGENT monitor || echo "p-monitor promoted: $?"
                        $AGENT demote; echo "p-demote: $?"
                        echo "p-demoted: [$(ipvsadm -L --daemon)]"
                        $BIN $UML_OUT/web.cf sync master; echo "verb master: $?"
                        echo "verb-master: [$(ipvsadm -L --daemon)]"
                        $AGENT stop; echo "p-stop: $?"
                        echo "p-stopped: [$(ipvsadm -L --daemon)]"
                        )
                        echo "== lvs-realserver"
                        ip netns add rs; ip -n rs link set lo up
                        RS="ip netns exec rs env LVS_REALSERVER_DEFAULTS=/dev/null %1$s/etc/lvs-realserver"
                        $RS start 10.77.0.100 10.77.0.101
                        $RS status 10.77.0.100 10.77.0.101; echo "rs status started: $?"
                        echo "rs lo: $(ip -n rs -o addr show dev lo | awk '{print $4}' | sort | tr '\n' ' ')"
                        $RS start 10.77.0.100 >/dev/null; echo "rs start again: $?"
                        $RS stop 10.77.0.100 10.77.0.101
                        $RS status 10.77.0.100 || echo "rs status stopped: $?"
                        echo "rs arp after stop: $(ip netns exec rs sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce | tr '\n' ' ')"
                        echo "== by hand"
                        export OCF_RESKEY_configfile=$UML_OUT/web.cf OCF_RESKEY_binary=$BIN
                        $AGENT monitor || echo "monitor before start: $?"
                        $AGENT start; echo "start: $?"
                        $AGENT monitor; echo "monitor: $?"
                        ipvsadm -Ln | sed -n '4,$p'
                        $BIN $UML_OUT/web.cf status | head -1
                        $AGENT reload; echo "reload: $?"
                        $AGENT stop; echo "stop: $?"
                        $AGENT monitor || echo "monitor after stop: $?"
                        echo "table after stop: [$(ipvsadm -Ln | sed -n '4,$p')]"
                        printf 'virtual=10.77.0.100:80\\n\\treal=10.77.1.11:80 nat\\n' > $UML_OUT/bad.cf
                        OCF_RESKEY_configfile=$UML_OUT/bad.cf $AGENT validate-all 2>&1 || echo "validate bad: $?"
                        """
                                .formatted(root),
                        UML_DEADLINE);
        assertEquals(0, r.exitCode(), r::describe);
        String out = r.output();
        assertTrue(out.contains("ocf/ldirector passed all tests"), r::describe);
        assertTrue(
                out.indexOf("ocf/ldirector passed all tests")
                        != out.lastIndexOf("ocf/ldirector passed all tests"),
                "ocf-tester passes the promotable mode too\n" + r.describe());
        // promotable: started unpromoted (sync backup), promote -> master, demote -> backup; the
        // verb too
        String backup =
                "backup sync daemon (mcast=sync0, syncid=4, maxlen=1472, group=224.0.0.81,"
                        + " port=8848, ttl=1)";
        String master =
                "master sync daemon (mcast=sync0, syncid=4, maxlen=1472, group=224.0.0.81,"
                        + " port=8848, ttl=1)";
        // etc/lvs-realserver on a real server's namespace
        assertTrue(out.contains("rs status started: 0"), r::describe);
        assertTrue(out.contains("rs lo: 10.77.0.100/32 10.77.0.101/32 127.0.0.1/8 "), r::describe);
        assertTrue(out.contains("arp_ignore=1 arp_announce=2"), r::describe);
        assertTrue(out.contains("rs start again: 0"), "start is idempotent\n" + r.describe());
        assertTrue(out.contains("rs status stopped: 3"), r::describe);
        assertTrue(out.contains("rs arp after stop: 0 0 "), r::describe);
        assertTrue(out.contains("p-start: 0"), r::describe);
        assertTrue(out.contains("p-started: [" + backup + "]"), r::describe);
        assertTrue(out.contains("p-monitor unpromoted: 0"), r::describe);
        assertTrue(out.contains("p-promote: 0"), r::describe);
        assertTrue(out.contains("p-promoted: [" + master + "]"), r::describe);
        assertTrue(out.contains("p-monitor promoted: 8"), r::describe);
        assertTrue(out.contains("p-demote: 0"), r::describe);
        assertTrue(out.contains("p-demoted: [" + backup + "]"), r::describe);
        assertTrue(out.contains("verb master: 0"), r::describe);
        assertTrue(out.contains("verb-master: [" + master + "]"), r::describe);
        assertTrue(out.contains("p-stop: 0"), r::describe);
        assertTrue(
                out.contains("p-stopped: []"),
                "cleanstop stops the sync thread with the services\n" + r.describe());
        assertTrue(out.contains("monitor before start: 7"), r::describe);
        assertTrue(out.contains("start: 0"), r::describe);
        assertTrue(out.contains("monitor: 0"), r::describe);
        assertTrue(out.contains("TCP  10.77.0.100:80 wrr"), r::describe);
        assertTrue(out.matches("(?s).*-> 10\\.77\\.1\\.11:80 +Masq +2 .*"), r::describe);
        assertTrue(out.contains("ldirector for " + "/"), r::describe);
        assertTrue(out.contains("reload: 0"), r::describe);
        assertTrue(out.contains("stop: 0"), r::describe);
        assertTrue(out.contains("monitor after stop: 7"), r::describe);
        assertTrue(
                out.contains("table after stop: []"),
                "cleanstop=yes (the default) removes the virtual\n" + r.describe());
        assertTrue(
                out.contains("validate bad: 6"),
                "OCF_ERR_CONFIGURED for a config -t refuses\n" + r.describe());
    }
}
