package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ldirector.ipvs.IpvsTableContract;
import org.ldirector.uml.UmlHarness;
import org.ldirector.uml.UmlResult;

/** Host side of the real-kernel tests: each boots UML and runs one in-uml class there. */
@Tag("uml")
class NetlinkIpvsTableUmlTest {

    @BeforeAll
    static void needsUml() {
        assumeTrue(
                UmlHarness.available(),
                "User-Mode Linux is not installed (apt-get install user-mode-linux)");
    }

    private static void assertPassed(UmlResult r) {
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("IN-UML RESULT: PASSED"), r::describe);
    }

    @Test
    void contractSuiteAgainstTheKernel() {
        // the sync-daemon tests bind to a dummy interface with the fake's MTU
        assertPassed(
                UmlHarness.runJUnit(
                        NetlinkIpvsTableContractInUmlTest.class,
                        Duration.ofSeconds(600),
                        "modprobe dummy && ip link add "
                                + IpvsTableContract.SYNC_IF
                                + " type dummy && ip link set "
                                + IpvsTableContract.SYNC_IF
                                + " mtu 1500 up"));
    }

    @Test
    void crossCheckWithIpvsadm() {
        assertPassed(
                UmlHarness.runJUnit(IpvsadmCrossCheckInUmlTest.class, Duration.ofSeconds(600)));
    }

    @Test
    void countersOfRealTrafficMatchIpvsadm() {
        assertPassed(
                UmlHarness.runJUnit(
                        IpvsCountersInUmlTest.class,
                        Duration.ofSeconds(300),
                        IpvsCountersInUmlTest.TOPOLOGY));
    }

    @Test
    void unprivilegedUseIsRefusedWithAHint() {
        assertPassed(
                UmlHarness.runJUnit(
                        UnprivilegedInUmlTest.class, Duration.ofSeconds(300), "modprobe ip_vs"));
    }

    @Test
    void missingIpvsIsReportedWithModprobesError() {
        // Hide the modules so neither our modprobe nor the kernel's autoload can find ip_vs.
        assertPassed(
                UmlHarness.runJUnit(
                        MissingIpvsInUmlTest.class,
                        Duration.ofSeconds(300),
                        "umount /lib/modules/$(uname -r)"));
    }
}
