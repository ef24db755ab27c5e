package org.ldirector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ldirector.config.SyncConfig;
import org.ldirector.config.SyncConfig.Role;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.ipvs.SyncDaemon;
import org.ldirector.ipvs.SyncDaemon.State;

class SyncRolesTest {
    private final InMemoryIpvsTable table =
            new InMemoryIpvsTable().withInterface("eth1", 1500).withInterface("eth2", 1500);
    private final List<String> log = new ArrayList<>();
    private final SyncRoles roles = new SyncRoles(table, log::add);

    private static SyncConfig settings(Role role, String iface, int id) {
        return new SyncConfig(role, Optional.of(iface), id, 0, Optional.empty(), 0, 0);
    }

    private List<String> kernel() throws Exception {
        return table.syncDaemons().stream()
                .map(d -> d.state().word() + " " + d.multicastInterface() + " " + d.syncId())
                .toList();
    }

    @Test
    void theConfiguredRoleIsStartedAndARoleSwitchStopsTheOtherFirst() throws Exception {
        roles.configure(Optional.of(settings(Role.BACKUP, "eth1", 3)), Role.BACKUP);
        assertEquals(List.of("backup eth1 3"), kernel());
        SyncRoles.SyncDaemonsChanged c = roles.switchTo(Role.MASTER);
        assertEquals(List.of("master eth1 3"), kernel());
        assertEquals(List.of(State.BACKUP), c.stopped().stream().map(SyncDaemon::state).toList());
        assertEquals(List.of(State.MASTER), c.started().stream().map(SyncDaemon::state).toList());
        assertTrue(log.contains("IPVS sync role backup -> master"), log::toString);
        // switching to the role in force touches nothing
        assertTrue(roles.switchTo(Role.MASTER).none());
        roles.switchTo(Role.NONE);
        assertEquals(List.of(), kernel());
    }

    @Test
    void withoutSyncdaemonTheKernelsThreadsAreNeverTouched() throws Exception {
        table.startSyncDaemon(
                SyncDaemon.of(State.MASTER, "eth2", 9)); // someone else's, e.g. keepalived's
        roles.configure(Optional.empty(), Role.NONE);
        roles.enforce();
        roles.stopAll();
        assertEquals(List.of("master eth2 9"), kernel());
        SyncRoles.SyncException e =
                assertThrows(SyncRoles.SyncException.class, () -> roles.switchTo(Role.BACKUP));
        assertTrue(
                e.getMessage().startsWith("syncdaemon is not set in the configuration"),
                e.getMessage());
        assertEquals(List.of("master eth2 9"), kernel());
    }

    @Test
    void aDaemonWithOtherSettingsIsReplacedAndOneStoppedByHandIsRestarted() throws Exception {
        table.startSyncDaemon(SyncDaemon.of(State.MASTER, "eth2", 9));
        roles.configure(Optional.of(settings(Role.MASTER, "eth1", 3)), Role.MASTER);
        assertEquals(List.of("master eth1 3"), kernel());
        table.stopSyncDaemon(State.MASTER);
        assertTrue(roles.enforce().started().size() == 1);
        assertEquals(List.of("master eth1 3"), kernel());
        // a reload with new settings restarts the thread with them
        roles.configure(Optional.of(settings(Role.MASTER, "eth1", 4)), Role.MASTER);
        assertEquals(List.of("master eth1 4"), kernel());
    }

    @Test
    void aKernelRefusalIsReportedOnceAndTheRoleSwitchFailsWithIt() throws Exception {
        roles.configure(Optional.of(settings(Role.BACKUP, "nosuch0", 1)), Role.BACKUP);
        roles.enforce();
        roles.enforce();
        assertEquals(
                1,
                log.stream().filter(l -> l.startsWith("Error: ") && l.contains("ENODEV")).count(),
                log::toString);
        assertTrue(roles.status().error().orElseThrow().contains("ENODEV"));
        assertThrows(SyncRoles.SyncException.class, () -> roles.switchTo(Role.MASTER));
        assertEquals(List.of(), kernel());
    }

    @Test
    void noneWithoutAnInterfaceStopsEverythingAndCannotBecomeMaster() throws Exception {
        table.startSyncDaemon(SyncDaemon.of(State.BACKUP, "eth1", 0));
        roles.configure(
                Optional.of(
                        new SyncConfig(Role.NONE, Optional.empty(), 0, 0, Optional.empty(), 0, 0)),
                Role.NONE);
        assertEquals(List.of(), kernel());
        SyncRoles.SyncException e =
                assertThrows(SyncRoles.SyncException.class, () -> roles.switchTo(Role.MASTER));
        assertEquals("syncdaemon master needs syncinterface in the configuration", e.getMessage());
    }

    @Test
    void stopAllStopsOnlyWhatTheRoleRuns() throws Exception {
        roles.configure(Optional.of(settings(Role.MASTER, "eth1", 2)), Role.MASTER);
        roles.stopAll();
        assertEquals(List.of(), kernel());
        assertEquals(Role.NONE, roles.role());
    }

    /** A kept role in memory, as the run dir's file keeps it for the daemon. */
    private static final class Memory implements KeptRole {
        Optional<Role> role = Optional.empty();

        @Override
        public Optional<Role> read() {
            return role;
        }

        @Override
        public void keep(Role r) {
            role = Optional.of(r);
        }

        @Override
        public void forget() {
            role = Optional.empty();
        }

        @Override
        public String where() {
            return "memory";
        }
    }

    @Test
    void theVerbsRoleIsKeptWinsAtTheNextStartAndAChangedSyncdaemonForgetsIt() throws Exception {
        Memory kept = new Memory();
        Optional<SyncConfig> backup = Optional.of(settings(Role.BACKUP, "eth1", 3));
        SyncRoles first = new SyncRoles(table, log::add, kept);
        first.start(backup);
        assertEquals(List.of("backup eth1 3"), kernel());
        first.switchAndKeep(Role.MASTER);
        assertEquals(Optional.of(Role.MASTER), kept.read());
        // a reload with the same syncdaemon keeps the role in force, and what is kept
        first.reload(backup, Optional.of(settings(Role.BACKUP, "eth1", 4)));
        assertEquals(List.of("master eth1 4"), kernel());
        assertEquals(Optional.of(Role.MASTER), kept.read());

        SyncRoles restarted = new SyncRoles(table, log::add, kept);
        restarted.start(backup);
        assertEquals(Role.MASTER, restarted.role());
        assertTrue(
                log.contains("IPVS sync role master, as last set by the sync verb (memory)"),
                log::toString);

        restarted.reload(backup, Optional.of(settings(Role.NONE, "eth1", 3)));
        assertEquals(Role.NONE, restarted.role());
        assertEquals(Optional.empty(), kept.read());
        assertEquals(List.of(), kernel());
    }

    @Test
    void aRoleSwitchThatFailsKeepsNothingAndAConfigWithoutSyncForgetsTheKeptRole()
            throws Exception {
        Memory kept = new Memory();
        SyncRoles r = new SyncRoles(table, log::add, kept);
        r.start(Optional.empty());
        assertThrows(SyncRoles.SyncException.class, () -> r.switchAndKeep(Role.MASTER));
        assertEquals(Optional.empty(), kept.read());
        kept.keep(Role.BACKUP);
        new SyncRoles(table, log::add, kept).start(Optional.empty());
        assertEquals(Optional.empty(), kept.read());
    }
}
