package org.ldirector.ipvs;

import org.junit.jupiter.api.BeforeEach;

/** The kernel contract, against the in-memory fake. */
class InMemoryIpvsTableContractTest extends IpvsTableContract {
    private InMemoryIpvsTable table;

    @BeforeEach
    void freshTable() {
        table = new InMemoryIpvsTable().withInterface(SYNC_IF, 1500);
    }

    @Override
    protected IpvsTable table() {
        return table;
    }
}
