package org.ldirector.config;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * ldirector extension: the kernel's IPVS connection-sync daemon, for a director pair ({@code
 * syncdaemon}, {@code syncinterface}, {@code syncid}, {@code syncmaxlen}, {@code syncgroup}, {@code
 * syncport}, {@code syncttl}). Present only when {@code syncdaemon} is written: without it
 * ldirector leaves the kernel's sync threads alone.
 *
 * @param role the role at start ({@code none}: ldirector stops any sync thread)
 * @param iface the multicast interface; required for master and backup
 * @param syncId 0..255 (default 0)
 * @param maxLength sync_maxlen, 0 for the kernel's choice from the MTU
 * @param group multicast group, empty for the kernel's 224.0.0.81
 * @param port 0 for the kernel's 8848
 * @param ttl 0 for the kernel's 1
 */
public record SyncConfig(
        Role role,
        Optional<String> iface,
        int syncId,
        int maxLength,
        Optional<InetAddress> group,
        int port,
        int ttl) {

    public enum Role {
        MASTER,
        BACKUP,
        NONE;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** "master", "backup" or "none" (any case); empty for anything else. */
        public static Optional<Role> parse(String word) {
            for (Role r : values()) {
                if (r.word().equalsIgnoreCase(word.trim())) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }
}
