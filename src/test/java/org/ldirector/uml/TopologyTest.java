package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sandbox cluster (test-fixtures/uml/topology.sh) carries traffic the way an LVS operator
 * expects, programmed here by hand with ipvsadm: the wiring later real-kernel tests and the demo
 * rely on, checked on its own so a broken sandbox is not mistaken for a broken ldirector.
 */
@Tag("uml")
class TopologyTest {

    @BeforeAll
    static void needsUml() {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
    }

    private static String topology() {
        return ". " + UmlHarness.projectRoot().resolve("test-fixtures/uml/topology.sh") + "\n";
    }

    @Test
    void natSpreadsByWeightAndTheLocalFallbackServesWhenNoRealIsLeft() {
        UmlResult r =
                UmlHarness.runScript(
                        topology()
                                + """
                                set -e
                                topo_nat_up
                                ipvsadm -A -t 10.77.0.100:80 -s wrr
                                for n in 1 2 3; do ipvsadm -a -t 10.77.0.100:80 -r 10.77.1.1$n:80 -m -w $n; done
                                echo "spread: $(for i in $(seq 1 12); do client_curl http://10.77.0.100/; done | sort | uniq -c | xargs)"
                                real_stop 2
                                real_up 2 || echo "real2 is down"
                                for n in 1 2 3; do ipvsadm -d -t 10.77.0.100:80 -r 10.77.1.1$n:80; done
                                sorry_start
                                ipvsadm -a -t 10.77.0.100:80 -r 127.0.0.1:80 -g -w 1
                                echo "fallback: $(client_curl http://10.77.0.100/)"
                                real_start 2
                                echo "real2 back: $(curl -s http://10.77.1.12/)"
                                """,
                        Duration.ofSeconds(240));
        assertEquals(0, r.exitCode(), r::describe);
        // wrr with weights 1:2:3 over 12 requests is exact, not statistical.
        assertTrue(r.output().contains("spread: 2 real1 4 real2 6 real3"), r::describe);
        assertTrue(r.output().contains("real2 is down"), r::describe);
        assertTrue(r.output().contains("fallback: sorry"), r::describe);
        assertTrue(r.output().contains("real2 back: real2"), r::describe);
    }

    @Test
    void drRealsAnswerOnTheVipAndLongDownloadsComplete() {
        UmlResult r =
                UmlHarness.runScript(
                        topology()
                                + """
                                set -e
                                topo_dr_up
                                ipvsadm -A -t 10.77.0.100:80 -s rr
                                for n in 1 2 3; do ipvsadm -a -t 10.77.0.100:80 -r 10.77.1.1$n:80 -g -w 1; done
                                echo "spread: $(for i in $(seq 1 6); do client_curl http://10.77.0.100/; done | sort | uniq -c | xargs)"
                                echo "downloaded: $(client_curl http://10.77.0.100/bytes/2000000 | wc -c)"
                                """,
                        Duration.ofSeconds(240));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("spread: 2 real1 2 real2 2 real3"), r::describe);
        assertTrue(r.output().contains("downloaded: 2000000"), r::describe);
    }
}
