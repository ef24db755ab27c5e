package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.sys.Errno;
import org.ldirector.uml.UmlHarness;

/** A kernel that cannot load ip_vs (its modules hidden by the setup script); inside UML only. */
@Tag("in-uml")
class MissingIpvsInUmlTest {

    @Test
    void openFailsSayingModprobeFailedAndWhy() {
        assumeTrue(UmlHarness.insideUml(), "runs as root inside User-Mode Linux only");
        IpvsException e = assertThrows(IpvsException.class, NetlinkIpvsTable::open);
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "the kernel has no IPVS (modprobe ip_vs failed: exit 1: modprobe:"
                                    + " FATAL: Module ip_vs not found in directory /lib/modules/"),
                e.getMessage());
    }
}
