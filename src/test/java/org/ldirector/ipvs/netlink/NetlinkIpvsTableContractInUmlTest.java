package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.IpvsTableContract;
import org.ldirector.ipvs.Timeouts;
import org.ldirector.uml.UmlHarness;

/** The kernel contract against the real kernel; run inside UML by NetlinkIpvsTableUmlTest. */
@Tag("in-uml")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetlinkIpvsTableContractInUmlTest extends IpvsTableContract {
    private NetlinkIpvsTable table;

    @BeforeAll
    void open() throws Exception {
        assumeTrue(UmlHarness.insideUml(), "runs as root inside User-Mode Linux only");
        table = NetlinkIpvsTable.open();
    }

    @BeforeEach
    void emptyTable() throws Exception {
        table.flush();
        table.setTimeouts(Timeouts.DEFAULTS);
    }

    @AfterAll
    void close() throws Exception {
        if (table != null) {
            table.close();
        }
    }

    @Override
    protected IpvsTable table() {
        return table;
    }
}
