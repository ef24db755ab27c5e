package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real LVS-DR director pair in one User-Mode Linux kernel (test-fixtures/uml/ha-pair.sh): two
 * director namespaces, each with its own ldirector (the same ldirectord.cf) and keepalived running
 * VRRP only, whose notify_* lines switch the IPVS connection sync daemon's role through the running
 * ldirector ({@code ldirector CONFIG sync master|backup}); three DR reals and a client on one
 * bridge. A long download through the VIP survives d1's failure — a graceful keepalived stop, and
 * separately kill -9 of ldirector plus d1's link cut — because d2's kernel holds the synced
 * connection; with the sync daemon off the same failovers break it, which shows the test can fail.
 * The client-observed gap (a probe every 100 ms) is printed for the README.
 */
@Tag("uml")
class HaPairUmlTest {

    private static final Pattern FAILOVER =
            Pattern.compile(
                    "failover how=(\\w+) sync=(\\w+) curl_rc=(\\d+) bytes=(\\d+) intact=(\\w+)"
                            + " gap_ms=(\\d+) failed=(\\d+) takeover_ms=(-?\\d+)"
                            + " probes_after=(\\d+)/(\\d+)");

    @BeforeAll
    static void needs() {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/keepalived")), "keepalived is not installed");
        assertTrue(
                Files.isRegularFile(UmlHarness.projectRoot().resolve("target/ldirector.jar")),
                "mvn package first");
    }

    private static String prelude() {
        return """
        set -e
        . %s/test-fixtures/uml/ha-pair.sh
        t0=$(date +%%s)
        el() { echo "[$(( $(date +%%s) - t0 ))s] $*"; }
        dump() {
          echo "--- ldirector log"; tail -40 $HA_OUT/ldirector.log 2>/dev/null
          for f in $HA_OUT/d?.ldirector.out $HA_OUT/d?.keepalived.log $HA_OUT/curl-*.err; do
            [ -s "$f" ] && { echo "--- $f"; tail -25 "$f"; }
          done
        }
        trap 'rc=$?; [ $rc = 0 ] || dump' EXIT
        pair_up() {
          ha_up
          ha_ld_start 1 & local p1=$!
          ha_ld_start 2; wait $p1
          el "ldirectors up"
          # d1 first, so it is the master from the start (it would preempt anyway: priority 150 > 100).
          ha_ka_start 1
          ha_wait_until "d1 to take the VIP" 60 ha_holder_is d1
          ha_ka_start 2
          ha_wait_until "the pair to be ready" 90 ha_pair_ready
          el "pair ready"
        }
        """
                .formatted(UmlHarness.projectRoot());
    }

    @Test
    void establishedConnectionsSurviveFailoverOnlyWithTheSyncDaemon() {
        UmlResult r =
                UmlHarness.runScript(
                        prelude()
                                + """
                                pair_up
                                echo "holder: $(ha_holder) roles: d1=$(ha_sync_role 1) d2=$(ha_sync_role 2)"
                                ha_ld 1 $HA_CF sync status; ha_ld 2 $HA_CF sync status
                                diff <(ha_table 1) <(ha_table 2) && echo "tables identical: $(ha_table 1 | grep -c -- ' -r ') reals"
                                echo "spread: $(for i in 1 2 3 4 5 6; do ip netns exec client curl -s --max-time 3 http://$HA_VIP/; done | sort | uniq -c | xargs)"
                                ha_failover_download stop
                                echo "after stop: holder=$(ha_holder) roles: d1=$(ha_sync_role 1) d2=$(ha_sync_role 2)"
                                ha_restore_d1
                                el "d1 restored"
                                ha_failover_download cut
                                echo "after cut: holder=$(ha_holder) roles: d1=$(ha_sync_role 1) d2=$(ha_sync_role 2)"
                                ha_restore_d1
                                el "d1 restored"
                                # Sync off: keepalived without notify lines (d2's restarted; d1's goes at the failover).
                                export HA_NOTIFY=0
                                ha_ka_stop 2; ha_ka_start 2; ha_sync 1 none; ha_sync 2 none
                                ha_wait_until "the pair to be ready without sync" 60 ha_pair_ready
                                el "sync off"
                                ha_failover_download stop
                                ha_sync 1 none
                                ha_restore_d1
                                ha_failover_download cut
                                el "done"
                                """,
                        Duration.ofSeconds(420));
        assertEquals(0, r.exitCode(), r::describe);
        String out = r.output();
        assertTrue(out.contains("holder: d1 roles: d1=master d2=backup"), r::describe);
        assertTrue(out.contains("tables identical: 6 reals"), r::describe);
        assertTrue(out.contains("spread: 2 real1 2 real2 2 real3"), r::describe);
        assertTrue(
                out.contains(
                        "IPVS sync: role master\n"
                                + "  kernel: master sync daemon (mcast=eth0, syncid=77"),
                r::describe);
        assertTrue(
                out.contains(
                        "IPVS sync: role backup\n"
                                + "  kernel: backup sync daemon (mcast=eth0, syncid=77"),
                r::describe);
        // notify_stop (through setsid -f, or keepalived kills it on exit) made d1 the sync backup
        assertTrue(out.contains("after stop: holder=d2 roles: d1=backup d2=master"), r::describe);
        // d1's kernel keeps the master thread its killed ldirector left; its keepalived's
        // notify_fault
        // stores "backup" for ldirector's next start (ha_restore_d1 checks d1 comes back as
        // backup).
        assertTrue(out.contains("after cut: holder=d2"), r::describe);

        Map<String, MatchResult> runs = new LinkedHashMap<>();
        Matcher m = FAILOVER.matcher(out);
        while (m.find()) {
            runs.put(m.group(1) + "/" + m.group(2), m.toMatchResult());
        }
        assertEquals(
                4,
                runs.size(),
                "four failovers: stop/on, cut/on, stop/off, cut/off\n" + r.describe());
        StringBuilder report =
                new StringBuilder(
                        "HA failover (one download of 30 MB at 2 MB/s through the VIP):\n");
        for (Map.Entry<String, MatchResult> e : runs.entrySet()) {
            MatchResult f = e.getValue();
            boolean sync = f.group(2).equals("on");
            int probesOk = Integer.parseInt(f.group(9));
            int probesAll = Integer.parseInt(f.group(10));
            report.append(
                    String.format(
                            "  %-5s sync %-3s  download %s (curl %s, %s bytes)  gap %s ms  failed"
                                    + " probes %s  VIP moved after %s ms%n",
                            f.group(1),
                            f.group(2),
                            f.group(5).equals("yes") ? "intact" : "BROKEN",
                            f.group(3),
                            f.group(4),
                            f.group(6),
                            f.group(7),
                            f.group(8)));
            if (sync) {
                assertEquals("0", f.group(3), e.getKey() + ": curl completes\n" + r.describe());
                assertEquals("yes", f.group(5), e.getKey() + ": sha256 matches\n" + r.describe());
            } else {
                assertNotEquals(
                        "0",
                        f.group(3),
                        e.getKey() + ": without sync the download breaks\n" + r.describe());
                assertEquals(
                        "no",
                        f.group(5),
                        e.getKey() + ": without sync the download breaks\n" + r.describe());
            }
            assertTrue(
                    probesAll > 0 && probesOk == probesAll,
                    e.getKey() + ": new requests after the failover succeed\n" + r.describe());
            int gap = Integer.parseInt(f.group(6));
            // Generous bounds (UML is slow and shared): a graceful stop is the skew time (<1 s)
            // plus
            // keepalived's start of MASTER; a cut is 3 adverts plus skew (~3.6 s) plus TCP's retry.
            assertTrue(
                    gap > 0 && gap < (f.group(1).equals("stop") ? 5000 : 12000),
                    e.getKey() + ": gap " + gap + " ms\n" + r.describe());
        }
        System.out.print(report);
    }

    /**
     * The sync role switched by hand ({@code ldirector CONFIG sync ROLE}) and by the OCF agent's
     * promote/demote as a promotable clone, each seen in the namespace's kernel ({@code ipvsadm -L
     * --daemon}); the role set by the verb outlives a restart of the daemon.
     */
    @Test
    void syncRoleFollowsTheVerbAndTheOcfAgentsPromoteAndDemote() {
        assumeTrue(
                Files.isRegularFile(Path.of("/usr/lib/ocf/lib/heartbeat/ocf-shellfuncs")),
                "resource-agents is not installed");
        UmlResult r =
                UmlHarness.runScript(
                        prelude()
                                + """
                                ha_up
                                ha_ld_start 1
                                kernel() { echo "$1: $(ip netns exec d$2 ipvsadm -L --daemon | sed 's/ *$//' | xargs)"; }
                                kernel "d1 at start" 1
                                ha_sync 1 master; kernel "d1 after sync master" 1
                                ha_sync 1 none; kernel "d1 after sync none" 1
                                ha_sync 1 backup; kernel "d1 after sync backup" 1
                                ha_sync 1 master
                                ha_ld 1 $HA_CF stop >/dev/null
                                kernel "d1 stopped (cleanstop=no)" 1
                                ha_ld_start 1
                                kernel "d1 restarted" 1
                                echo "d1 status: $(ha_ld 1 $HA_CF status | grep -i 'sync' | head -1)"
                                # d2 as Pacemaker runs it: a promotable clone of the OCF agent.
                                export OCF_ROOT=/usr/lib/ocf OCF_RESKEY_configfile=$HA_CF OCF_RESKEY_binary=$HA_LD
                                export OCF_RESKEY_CRM_meta_promotable=true OCF_RESKEY_CRM_meta_clone_max=2 OCF_RESKEY_CRM_meta_promoted_max=1
                                agent() { ip netns exec d2 env LDIRECTOR_RUNDIR=$HA_DIR/d2 $HA_ROOT/ocf/ldirector "$@" >>$HA_OUT/ocf.out 2>&1; echo $?; }
                                echo "ocf start: $(agent start)"; kernel "d2 after start" 2
                                echo "ocf monitor: $(agent monitor)"
                                echo "ocf promote: $(agent promote)"; kernel "d2 after promote" 2
                                echo "ocf monitor promoted: $(agent monitor)"
                                echo "ocf demote: $(agent demote)"; kernel "d2 after demote" 2
                                echo "ocf monitor demoted: $(agent monitor)"
                                echo "ocf stop: $(agent stop)"
                                """,
                        Duration.ofSeconds(300));
        assertEquals(0, r.exitCode(), r::describe);
        String out = r.output();
        String master = "master sync daemon (mcast=eth0, syncid=77";
        String backup = "backup sync daemon (mcast=eth0, syncid=77";
        assertTrue(
                out.contains("d1 at start: " + backup),
                "syncdaemon = backup at start\n" + r.describe());
        assertTrue(out.contains("d1 after sync master: " + master), r::describe);
        assertTrue(out.contains("d1 after sync none: \n"), r::describe);
        assertTrue(out.contains("d1 after sync backup: " + backup), r::describe);
        assertTrue(
                out.contains("d1 restarted: " + master),
                "the verb's role outlives a restart\n" + r.describe());
        assertTrue(out.contains("ocf start: 0"), r::describe);
        assertTrue(
                out.contains("d2 after start: " + backup),
                "a promotable instance starts unpromoted\n" + r.describe());
        assertTrue(out.contains("ocf monitor: 0"), r::describe);
        assertTrue(out.contains("ocf promote: 0"), r::describe);
        assertTrue(out.contains("d2 after promote: " + master), r::describe);
        assertTrue(out.contains("ocf monitor promoted: 8"), r::describe);
        assertTrue(out.contains("ocf demote: 0"), r::describe);
        assertTrue(out.contains("d2 after demote: " + backup), r::describe);
        assertTrue(out.contains("ocf monitor demoted: 0"), r::describe);
        assertTrue(out.contains("ocf stop: 0"), r::describe);
    }
}
