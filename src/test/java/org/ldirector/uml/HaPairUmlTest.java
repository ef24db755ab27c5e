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
 * VRRP only, whose notify script switches the IPVS connection sync daemon's role; three DR reals
 * and a client on one bridge. A long download through the VIP survives d1's failure — a graceful
 * keepalived stop, and separately kill -9 of ldirector plus d1's link cut — because d2's kernel
 * holds the synced connection; with the sync daemon off the same failovers break it, which shows
 * the test can fail. The client-observed gap (a probe every 100 ms) is printed for the README.
 */
@Tag("uml")
class HaPairUmlTest {

    private static final Pattern FAILOVER = Pattern.compile(
            "failover how=(\\w+) sync=(\\w+) curl_rc=(\\d+) bytes=(\\d+) intact=(\\w+) gap_ms=(\\d+) failed=(\\d+)"
                    + " takeover_ms=(-?\\d+) probes_after=(\\d+)/(\\d+)");

    @BeforeAll
    static void needs() {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/keepalived")), "keepalived is not installed");
        assertTrue(Files.isRegularFile(UmlHarness.projectRoot().resolve("target/ldirector.jar")), "mvn package first");
    }

    private static String prelude() {
        return """
                set -e
                export HA_SYNC_VIA=ipvsadm
                . %s/test-fixtures/uml/ha-pair.sh
                t0=$(date +%%s)
                el() { echo "[$(( $(date +%%s) - t0 ))s] $*"; }
                dump() {
                  echo "--- ldirector log"; tail -40 $HA_OUT/ldirector.log 2>/dev/null
                  for f in $HA_OUT/d?.ldirector.out $HA_OUT/d?.keepalived.log $HA_OUT/d?.notify.log $HA_OUT/curl-*.err; do
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
                """.formatted(UmlHarness.projectRoot());
    }

    @Test
    void establishedConnectionsSurviveFailoverOnlyWithTheSyncDaemon() {
        UmlResult r = UmlHarness.runScript(prelude() + """
                pair_up
                echo "holder: $(ha_holder) roles: d1=$(ha_sync_role 1) d2=$(ha_sync_role 2)"
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
                # Sync off: keepalived without the notify script (d2's restarted; d1's goes at the failover).
                export HA_NOTIFY=0
                ha_ka_stop 2; ha_ka_start 2; ha_sync 1 none; ha_sync 2 none
                ha_wait_until "the pair to be ready without sync" 60 ha_pair_ready
                el "sync off"
                ha_failover_download stop
                ha_ka_start 1; ha_sync 1 none
                ha_restore_d1
                ha_failover_download cut
                el "done"
                """, Duration.ofSeconds(420));
        assertEquals(0, r.exitCode(), r::describe);
        String out = r.output();
        assertTrue(out.contains("holder: d1 roles: d1=master d2=backup"), r::describe);
        assertTrue(out.contains("tables identical: 6 reals"), r::describe);
        assertTrue(out.contains("spread: 2 real1 2 real2 2 real3"), r::describe);
        assertTrue(out.contains("after stop: holder=d2 roles: d1=backup d2=master"), r::describe);
        assertTrue(out.contains("after cut: holder=d2"), r::describe);

        Map<String, MatchResult> runs = new LinkedHashMap<>();
        Matcher m = FAILOVER.matcher(out);
        while (m.find()) {
            runs.put(m.group(1) + "/" + m.group(2), m.toMatchResult());
        }
        assertEquals(4, runs.size(), "four failovers: stop/on, cut/on, stop/off, cut/off\n" + r.describe());
        StringBuilder report = new StringBuilder("HA failover (one download of 30 MB at 2 MB/s through the VIP):\n");
        for (Map.Entry<String, MatchResult> e : runs.entrySet()) {
            MatchResult f = e.getValue();
            boolean sync = f.group(2).equals("on");
            int probesOk = Integer.parseInt(f.group(9));
            int probesAll = Integer.parseInt(f.group(10));
            report.append(String.format("  %-5s sync %-3s  download %s (curl %s, %s bytes)  gap %s ms  failed probes %s  VIP moved after %s ms%n",
                    f.group(1), f.group(2), f.group(5).equals("yes") ? "intact" : "BROKEN", f.group(3), f.group(4),
                    f.group(6), f.group(7), f.group(8)));
            if (sync) {
                assertEquals("0", f.group(3), e.getKey() + ": curl completes\n" + r.describe());
                assertEquals("yes", f.group(5), e.getKey() + ": sha256 matches\n" + r.describe());
            } else {
                assertNotEquals("0", f.group(3), e.getKey() + ": without sync the download breaks\n" + r.describe());
                assertEquals("no", f.group(5), e.getKey() + ": without sync the download breaks\n" + r.describe());
            }
            assertTrue(probesAll > 0 && probesOk == probesAll, e.getKey() + ": new requests after the failover succeed\n" + r.describe());
            int gap = Integer.parseInt(f.group(6));
            // Generous bounds (UML is slow and shared): a graceful stop is the skew time (<1 s) plus
            // keepalived's start of MASTER; a cut is 3 adverts plus skew (~3.6 s) plus TCP's retry.
            assertTrue(gap > 0 && gap < (f.group(1).equals("stop") ? 5000 : 12000), e.getKey() + ": gap " + gap + " ms\n" + r.describe());
        }
        System.out.print(report);
    }
}
