package org.ldirector.sync;

import java.util.Optional;
import org.ldirector.config.SyncConfig;

/**
 * Where the role the sync verb set is kept across restarts (the daemon's run dir), so an HA
 * manager's last word outlives a restart; {@link #NONE} keeps nothing.
 */
public interface KeptRole {
    /** The kept role; empty when there is none or it cannot be read. */
    Optional<SyncConfig.Role> read();

    /**
     * Keeps {@code role} for the next start; a failure is the keeper's to report, the role in force
     * stands.
     */
    void keep(SyncConfig.Role role);

    /** Forgets the kept role: the config's syncdaemon rules again. */
    void forget();

    /** Where the role is kept, for the log. */
    String where();

    KeptRole NONE =
            new KeptRole() {
                @Override
                public Optional<SyncConfig.Role> read() {
                    return Optional.empty();
                }

                @Override
                public void keep(SyncConfig.Role role) {}

                @Override
                public void forget() {}

                @Override
                public String where() {
                    return "nowhere";
                }
            };
}
