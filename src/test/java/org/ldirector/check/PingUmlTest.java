package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ldirector.uml.UmlHarness;
import org.ldirector.uml.UmlResult;

/**
 * Host side: ICMP ping in a real kernel, with a raw socket and with an unprivileged datagram
 * socket.
 */
@Tag("uml")
class PingUmlTest {
    /** An address routed to a NOARP dummy interface: requests leave, nothing ever answers. */
    static final String BLACKHOLE =
            "modprobe dummy 2>/dev/null || true\n"
                    + "ip link set lo up\n"
                    + "ip link add d0 type dummy\n"
                    + "ip addr add 10.77.99.1/24 dev d0\n"
                    + "ip link set d0 up\n";

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
    void rawSocketAsRoot() {
        assertPassed(
                UmlHarness.runJUnit(
                        PingInUmlTest.class,
                        Duration.ofSeconds(300),
                        BLACKHOLE
                                + "sysctl -qw net.ipv4.ping_group_range='1 0'\n"
                                + "echo raw > /tmp/expect-ping-kind\n"));
    }

    @Test
    void datagramSocketWhenPingGroupRangeAllows() {
        assertPassed(
                UmlHarness.runJUnit(
                        PingInUmlTest.class,
                        Duration.ofSeconds(300),
                        BLACKHOLE
                                + "sysctl -qw net.ipv4.ping_group_range='0 2147483647'\n"
                                + "echo datagram > /tmp/expect-ping-kind\n"));
    }
}
